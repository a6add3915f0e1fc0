// Listens on a port, or fails with a StartupError naming the port, the setting and the fix (instead of
// an unhandled 'error' event and its stack trace).
import type { Server } from 'node:http';
import { StartupError } from '../startup-error.ts';

export function listen(server: Server, port: number, host: string, setting: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(new StartupError(describe(err, port, host, setting)));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.removeListener('error', onError);
      resolve();
    });
  });
}

function describe(err: NodeJS.ErrnoException, port: number, host: string, setting: string): string {
  const at = `${host}:${port} (${setting})`;
  switch (err.code) {
    case 'EADDRINUSE':
      return `Cannot listen on ${at}: another program uses this port (another npm start?). Stop it, or choose free ports, for example PORT=3002 DEMO_APP_PORT=3003 npm start.`;
    case 'EACCES':
      return `Cannot listen on ${at}: ports below 1024 need privileges. Set ${setting} to 1024 or above.`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return `Cannot listen on ${at}: ${host} is not an address of this machine. Set HOST to one of its addresses (127.0.0.1, or 0.0.0.0 for all).`;
    default:
      return `Cannot listen on ${at}: ${err.message}.`;
  }
}
