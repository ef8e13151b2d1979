// Types of bin/build-state.mjs (plain JavaScript, so that the commands run it before anything is compiled).
export declare const BUILD_DIR: string;
export declare const BUILD_RECORD: string;
export declare function compiledEntry(root: string, entry: string): { file: string; reason?: undefined } | { file?: undefined; reason: string };
