// Types of bin/node22.mjs (plain JavaScript: it runs on the older Node it replaces).
export declare const MIN_NODE_MAJOR: number;
export declare function isNodeRecentEnough(version?: string): boolean;
export declare function node22CacheFile(env?: NodeJS.ProcessEnv): string;
export declare function findNode22(options?: { env?: NodeJS.ProcessEnv; notice?: (line: string) => void }): string | undefined;
