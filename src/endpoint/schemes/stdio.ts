import { SwitchboardError } from '../../errors.js';
import { StdioClientTransport } from '../../transports/stdio-client.js';
import { listenStdio } from '../../transports/stdio-listener.js';
import type { EndpointScheme } from '../scheme.js';

/**
 * `stdio:`: connect = spawn a server as a child process; listen = serve on this process's own
 * stdin/stdout (one connection: the client that launched us). The URI carries no command (quoting a
 * command line in a URI invites injection); it comes from `options.stdio.command` / `args`.
 */
export const stdioScheme: EndpointScheme = {
  name: 'stdio',
  example: 'stdio: (with options.stdio.command)',
  connect(_url, options) {
    const stdio = options.stdio;
    if (!stdio?.command) {
      throw new SwitchboardError(
        'INVALID_OPTIONS',
        'stdio: needs a command: connect("stdio:", { stdio: { command, args } })',
      );
    }
    return new StdioClientTransport({
      ...stdio,
      maxMessageBytes: options.maxMessageBytes,
      framing: options.framing,
    });
  },
  listen: (_url, options) => listenStdio(options),
};
