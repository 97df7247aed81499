import type { ClientPlan, Namespace, PromptPlan, ResourcePlan, ToolPlan } from './client-plan.js';
import { codeSpan, jsdoc, oneLine, toolHints } from './jsdoc.js';

// Writes src/client.ts of a generated package: one class with `tools`, `prompts` and `resources`
// namespaces (plus a top-level shortcut per group of tools) and `connect()`.

const I2 = '  ';
const I4 = '    ';

// A single-quoted string literal: JSON's escapes are valid in JavaScript, only the quotes differ.
const str = (text: string): string =>
  `'${JSON.stringify(text).slice(1, -1).replaceAll('\\"', '"').replaceAll("'", "\\'")}'`;

function toolMember(plan: ToolPlan, indent: string): string {
  const { tool } = plan;
  const title = tool.title ?? tool.annotations?.title;
  const facts = [`Tool ${codeSpan(tool.name)}${title ? ` (${oneLine(title)})` : ''}`, ...toolHints(tool)];
  const returns = plan.outputType
    ? `its \`structuredContent\` (\`${plan.outputType}\`, from the tool's outputSchema)`
    : "the tool's result";
  const doc = jsdoc(
    [
      ...(tool.description ? [tool.description, ''] : []),
      facts.join(' · '),
      ...(tool.execution?.taskSupport === 'required'
        ? [
            '@remarks The server runs this tool only as a task (`execution.taskSupport: required`); this',
            'client does not send task-augmented calls, so the server refuses the call.',
          ]
        : []),
      `@param args - the arguments (\`${plan.argsType}\`)`,
      '@param options - deadline, abort signal, progress',
      `@returns ${returns}`,
      '@throws SwitchboardError `TOOL_ERROR` when the tool reports an error',
    ],
    indent,
  );
  const args = plan.argsOptional ? `args: T.${plan.argsType} = {}` : `args: T.${plan.argsType}`;
  const call = plan.outputType
    ? `this.#session.callToolStructured<T.${plan.outputType}>(${str(tool.name)}, args, options)`
    : `this.#session.callTool(${str(tool.name)}, args, options)`;
  const result = plan.outputType ? `T.${plan.outputType}` : 'CallToolResult';
  return `${doc}\n${indent}${plan.member}: (${args}, options?: CallOptions): Promise<${result}> =>\n${indent}  ${call},`;
}

function promptMember(plan: PromptPlan, indent: string): string {
  const { prompt } = plan;
  const doc = jsdoc(
    [
      ...(prompt.description ? [prompt.description, ''] : []),
      `Prompt ${codeSpan(prompt.name)}${prompt.title ? ` (${oneLine(prompt.title)})` : ''}`,
      ...(plan.argsType ? [`@param args - the arguments (\`${plan.argsType}\`)`] : []),
      '@param options - deadline, abort signal',
    ],
    indent,
  );
  if (plan.argsType === undefined) {
    return `${doc}\n${indent}${plan.member}: (options?: CallOptions): Promise<GetPromptResult> =>\n${indent}  this.#session.getPrompt(${str(prompt.name)}, {}, options),`;
  }
  const args = plan.argsOptional ? `args: T.${plan.argsType} = {}` : `args: T.${plan.argsType}`;
  return `${doc}\n${indent}${plan.member}: (${args}, options?: CallOptions): Promise<GetPromptResult> =>\n${indent}  this.#session.getPrompt(${str(prompt.name)}, args, options),`;
}

function resourceMember(plan: ResourcePlan, indent: string): string {
  const item = plan.kind === 'resource' ? plan.resource : plan.template;
  const where = plan.kind === 'resource' ? plan.resource.uri : plan.template.uriTemplate;
  const facts = [
    `${plan.kind === 'resource' ? 'Resource' : 'Resource template'} ${codeSpan(where)}${item.title ? ` (${oneLine(item.title)})` : ''}`,
    ...(item.mimeType ? [oneLine(item.mimeType)] : []),
  ];
  const lines = [...(item.description ? [item.description, ''] : []), facts.join(' · ')];
  if (plan.kind === 'resource' || plan.varsType === undefined) {
    const doc = jsdoc([...lines, '@param options - deadline, abort signal'], indent);
    const call =
      plan.kind === 'resource'
        ? `this.#session.readResource(${str(plan.resource.uri)}, options)`
        : `this.#session.readTemplate(${str(plan.template.uriTemplate)}, {}, options)`;
    return `${doc}\n${indent}${plan.member}: (options?: CallOptions): Promise<ReadResourceResult> =>\n${indent}  ${call},`;
  }
  const doc = jsdoc(
    [
      ...lines,
      `@param vars - the template's variables (\`${plan.varsType}\`)`,
      '@param options - deadline, abort signal',
    ],
    indent,
  );
  const vars = plan.varsOptional ? `vars: T.${plan.varsType} = {}` : `vars: T.${plan.varsType}`;
  return `${doc}\n${indent}${plan.member}: (${vars}, options?: CallOptions): Promise<ReadResourceResult> =>\n${indent}  this.#session.readTemplate(${str(plan.template.uriTemplate)}, vars, options),`;
}

function namespaceBlock<E>(ns: Namespace<E>, member: (plan: E, indent: string) => string): string {
  const parts: string[] = ns.members.map((m) => member(m, I4));
  for (const group of ns.groups) {
    const inner = group.members.map((m) => member(m, `${I4}  `)).join('\n');
    parts.push(
      `${jsdoc([`Group ${codeSpan(group.prefix)}.`], I4)}\n${I4}${group.name}: {\n${inner}\n${I4}},`,
    );
  }
  return parts.length === 0 ? '{}' : `{\n${parts.join('\n')}\n${I2}}`;
}

/** What {@link emitClient} needs besides the plan. */
export interface ClientFileInfo {
  header: string;
  packageName: string;
  packageVersion: string;
  serverLabel: string;
  separator?: string | undefined;
}

/**
 * The text of `src/client.ts`.
 *
 * @param plan - from `planClient()`
 * @param info - header, package identity, server label
 */
export function emitClient(plan: ClientPlan, info: ClientFileInfo): string {
  const toolsWithoutOutput = [...plan.tools.members, ...plan.tools.groups.flatMap((g) => g.members)].some(
    (t) => t.outputType === undefined,
  );
  const hasPrompts = plan.prompts.members.length + plan.prompts.groups.length > 0;
  const hasResources = plan.resources.members.length + plan.resources.groups.length > 0;
  const sdkTypes = [
    ...(toolsWithoutOutput ? ['CallToolResult'] : []),
    ...(hasPrompts ? ['GetPromptResult'] : []),
    ...(hasResources ? ['ReadResourceResult'] : []),
  ];
  const imports = [
    ...(sdkTypes.length > 0
      ? [`import type { ${sdkTypes.join(', ')} } from '@modelcontextprotocol/client';`]
      : []),
    'import {',
    '  connectSession,',
    '  type CallOptions,',
    '  type ClientSession,',
    '  type ClientTarget,',
    '  type ConnectSessionOptions,',
    "} from 'mcp-switchboard/client';",
    ...(plan.types.length > 0 ? ["import type * as T from './types.js';"] : []),
  ];
  const shortcuts = plan.tools.groups.map(
    (g) =>
      `${jsdoc([`The tools of ${codeSpan(g.prefix)} (the same object as \`tools.${g.name}\`).`], I2)}\n${I2}readonly ${g.name} = this.tools.${g.name};`,
  );
  const cls = plan.className;
  return `${info.header}
${imports.join('\n')}

/** The identity this client reports to servers. */
const CLIENT_INFO = { name: ${str(info.packageName)}, version: ${str(info.packageVersion)} } as const;

/**
 * A typed client of ${oneLine(info.serverLabel)}.
 *
 * Every function calls the server by the name it listed; results of tools that declare an
 * outputSchema are their \`structuredContent\`. A tool that reports an error rejects with
 * \`SwitchboardError\` \`TOOL_ERROR\` (the whole result in \`details.result\`).${
   info.separator === undefined
     ? ''
     : `\n * Names of the form \`<group>${oneLine(info.separator).replaceAll('*/', '*\\/')}<name>\` are grouped: \`client.tools.<group>.<name>\`.`
 }
 */
export class ${cls} {
  readonly #session: ClientSession;

  /** @param session - a connected session (see {@link connect}) */
  constructor(session: ClientSession) {
    this.#session = session;
  }

  /** The session: the SDK client (\`session.raw\`), server info, untyped calls. */
  get session(): ClientSession {
    return this.#session;
  }

  /** The server's tools. */
  readonly tools = ${namespaceBlock(plan.tools, toolMember)} as const;

  /** The server's prompts. */
  readonly prompts = ${namespaceBlock(plan.prompts, promptMember)} as const;

  /** The server's resources and resource templates. */
  readonly resources = ${namespaceBlock(plan.resources, resourceMember)} as const;
${shortcuts.length > 0 ? `\n${shortcuts.join('\n\n')}\n` : ''}
  /** Closes the connection (idempotent). */
  close(): Promise<void> {
    return this.#session.close();
  }
}

/**
 * Connects to the server over any transport of mcp-switchboard.
 *
 * @param target - an endpoint URI (\`http://…\`, \`tcp://…\`, \`unix:///…\`, \`ws://…\`, \`sse+http://…\`),
 *   \`{ command, args }\` for a stdio server, or \`{ transport }\`
 * @param options - deadline (default 60 s), handlers of sampling, elicitation and roots requests
 * @throws SwitchboardError \`CONNECTION_FAILED\` when the server cannot be reached or refuses
 * @example
 * \`\`\`ts
 * const client = await connect('http://127.0.0.1:3000/mcp');
 * \`\`\`
 */
export async function connect(
  target: ClientTarget,
  options: ConnectSessionOptions = {},
): Promise<${cls}> {
  return new ${cls}(await connectSession(target, { clientInfo: CLIENT_INFO, ...options }));
}
`;
}
