/**
 * Loads an optional peer dependency (Redis, the Redis adapters, connect-pg-simple) only when an option needs it,
 * so a consumer installs only what it configures. When the package is missing the error names it and the option.
 */
export async function importOptional<T>(packageName: string, neededFor: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    const missing = (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String(message).includes(`'${packageName}'`);
    if (!missing) throw error;
    throw new Error(`nest-payload-socket: ${neededFor} needs the \`${packageName}\` package: npm install ${packageName}`, { cause: error });
  }
}
