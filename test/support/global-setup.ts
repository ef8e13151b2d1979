export default async function globalSetup(): Promise<void> {
  process.env.KAPI_LOG_LEVEL ??= 'silent';
}
