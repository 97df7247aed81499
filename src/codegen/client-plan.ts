import { uriTemplateVariables } from '../schema/uri-template.js';
import type { Catalog, CatalogPrompt, CatalogResource, CatalogTemplate, CatalogTool } from './catalog.js';
import type { TypeRequest } from './compile-types.js';
import {
  CLIENT_MEMBERS,
  NameScope,
  nameEntries,
  typeName,
  typeScope,
  type NamedEntry,
} from './identifiers.js';

// Decides every name of a generated client before any code is written: member names per namespace,
// groups (namespaced names such as `everything__echo`), and the type names of arguments and outputs.

/** How namespaced names (a gateway's `<server><separator><name>`) become groups. */
export interface GroupingOptions {
  /** Split names at the first occurrence of this separator (e.g. `__`); no grouping when unset. */
  separator?: string | undefined;
  /** Only these prefixes become groups (e.g. the server names a gateway declares); all when unset. */
  groups?: readonly string[] | undefined;
}

/** A tool and the names it got. */
export interface ToolPlan {
  tool: CatalogTool;
  member: string;
  argsType: string;
  /** True when no argument is required: `args` may be left out. */
  argsOptional: boolean;
  /** The type of `structuredContent`, when the tool declares an `outputSchema`. */
  outputType?: string | undefined;
}

/** A prompt and the names it got. */
export interface PromptPlan {
  prompt: CatalogPrompt;
  member: string;
  /** Absent when the prompt takes no arguments. */
  argsType?: string | undefined;
  argsOptional: boolean;
}

/** A static resource or a resource template and the names it got. */
export type ResourcePlan =
  | { kind: 'resource'; resource: CatalogResource; member: string }
  | {
      kind: 'template';
      template: CatalogTemplate;
      member: string;
      /** Absent when the template has no variables. */
      varsType?: string | undefined;
      varsOptional: boolean;
    };

/** One namespace of the client (`tools`, `prompts`, `resources`): members plus groups. */
export interface Namespace<E> {
  members: E[];
  groups: { name: string; prefix: string; members: E[] }[];
}

/** Every name of a generated client. */
export interface ClientPlan {
  className: string;
  tools: Namespace<ToolPlan>;
  prompts: Namespace<PromptPlan>;
  resources: Namespace<ResourcePlan>;
  /** Groups in naming order (their member name is the same in every namespace and at the top level). */
  groups: { name: string; prefix: string }[];
  /** The schemas to convert, root type names claimed. */
  types: TypeRequest[];
  /** The scope of type names (for the converter's nested names). */
  typeScope: NameScope;
}

function splitGroup(name: string, grouping: GroupingOptions): { prefix: string; rest: string } | undefined {
  const separator = grouping.separator;
  if (separator === undefined || separator === '') return undefined;
  const at = name.indexOf(separator);
  if (at <= 0 || at + separator.length >= name.length) return undefined;
  const prefix = name.slice(0, at);
  if (grouping.groups !== undefined && !grouping.groups.includes(prefix)) return undefined;
  return { prefix, rest: name.slice(at + separator.length) };
}

function hasRequired(schema: unknown): boolean {
  const required = (schema as { required?: unknown } | undefined)?.required;
  return Array.isArray(required) && required.length > 0;
}

function buildNamespace<T, E>(
  items: readonly T[],
  nameOf: (item: T) => string,
  grouping: GroupingOptions,
  groupNames: ReadonlyMap<string, string>,
  make: (item: T, member: string) => E,
): Namespace<E> {
  const ungrouped: NamedEntry<T>[] = [];
  const grouped = new Map<string, NamedEntry<T>[]>();
  for (const item of items) {
    const split = splitGroup(nameOf(item), grouping);
    if (split === undefined) ungrouped.push({ key: nameOf(item), item });
    else grouped.set(split.prefix, [...(grouped.get(split.prefix) ?? []), { key: split.rest, item }]);
  }
  const groups = [...grouped.entries()]
    .map(([prefix, entries]) => ({
      prefix,
      name: groupNames.get(prefix) ?? prefix,
      members: nameEntries(entries, new NameScope()).map((e) => make(e.item, e.name)),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // Ungrouped members never take a group's name.
  const scope = new NameScope(groups.map((g) => g.name));
  return { members: nameEntries(ungrouped, scope).map((e) => make(e.item, e.name)), groups };
}

/**
 * Names everything in a catalog.
 *
 * @param catalog - the server's catalog
 * @param grouping - how namespaced names are grouped (default: not at all)
 */
export function planClient(catalog: Catalog, grouping: GroupingOptions = {}): ClientPlan {
  const types = typeScope();
  const className = types.claim(`${typeName(catalog.server?.name ?? 'Mcp')}Client`);
  const requests: TypeRequest[] = [];

  const prefixes = new Set<string>();
  const names = [
    ...catalog.tools.map((t) => t.name),
    ...catalog.prompts.map((p) => p.name),
    ...catalog.resources.map((r) => r.name),
    ...catalog.resourceTemplates.map((r) => r.name),
  ];
  for (const name of names) {
    const split = splitGroup(name, grouping);
    if (split !== undefined) prefixes.add(split.prefix);
  }
  const groupScope = new NameScope(CLIENT_MEMBERS);
  const groupList = nameEntries(
    [...prefixes].map((prefix) => ({ key: prefix, item: prefix })),
    groupScope,
  ).map((e) => ({ name: e.name, prefix: e.key }));
  const groupNames = new Map(groupList.map((g) => [g.prefix, g.name]));

  // Type names are claimed in catalog order (sorted by MCP name), before any nested name.
  const toolTypes = new Map<CatalogTool, { argsType: string; outputType?: string | undefined }>();
  for (const tool of catalog.tools) {
    const base = typeName(tool.name);
    const argsType = types.claim(`${base}Args`);
    requests.push({ rootName: argsType, schema: tool.inputSchema });
    let outputType: string | undefined;
    if (tool.outputSchema !== undefined) {
      outputType = types.claim(`${base}Output`);
      requests.push({ rootName: outputType, schema: tool.outputSchema });
    }
    toolTypes.set(tool, { argsType, outputType });
  }
  const promptTypes = new Map<CatalogPrompt, string>();
  for (const prompt of catalog.prompts) {
    const args = prompt.arguments ?? [];
    if (args.length === 0) continue;
    const argsType = types.claim(`${typeName(prompt.name)}PromptArgs`);
    promptTypes.set(prompt, argsType);
    requests.push({
      rootName: argsType,
      schema: {
        type: 'object',
        description: `Arguments of the prompt \`${prompt.name}\`.`,
        properties: Object.fromEntries(
          args.map((a) => [
            a.name,
            { type: 'string', ...(a.description ? { description: a.description } : {}) },
          ]),
        ),
        required: args.filter((a) => a.required === true).map((a) => a.name),
      },
    });
  }
  const templateTypes = new Map<CatalogTemplate, { varsType: string; optional: boolean }>();
  for (const template of catalog.resourceTemplates) {
    const variables = uriTemplateVariables(template.uriTemplate);
    if (variables.length === 0) continue;
    const varsType = types.claim(`${typeName(template.name)}Vars`);
    templateTypes.set(template, { varsType, optional: !variables.some((v) => v.required) });
    requests.push({
      rootName: varsType,
      schema: {
        type: 'object',
        description: `Variables of the URI template \`${template.uriTemplate}\`.`,
        properties: Object.fromEntries(variables.map((v) => [v.name, { type: ['string', 'number'] }])),
        required: variables.filter((v) => v.required).map((v) => v.name),
      },
    });
  }

  const tools = buildNamespace(
    catalog.tools,
    (t) => t.name,
    grouping,
    groupNames,
    (tool, member) => {
      const names = toolTypes.get(tool) ?? { argsType: 'never' };
      return {
        tool,
        member,
        argsType: names.argsType,
        argsOptional: !hasRequired(tool.inputSchema),
        outputType: names.outputType,
      };
    },
  );
  const prompts = buildNamespace(
    catalog.prompts,
    (p) => p.name,
    grouping,
    groupNames,
    (prompt, member) => ({
      prompt,
      member,
      argsType: promptTypes.get(prompt),
      argsOptional: !(prompt.arguments ?? []).some((a) => a.required === true),
    }),
  );
  const resourceItems: (
    { kind: 'resource'; value: CatalogResource } | { kind: 'template'; value: CatalogTemplate }
  )[] = [
    ...catalog.resources.map((value) => ({ kind: 'resource' as const, value })),
    ...catalog.resourceTemplates.map((value) => ({ kind: 'template' as const, value })),
  ];
  const resources = buildNamespace(
    resourceItems,
    (r) => r.value.name,
    grouping,
    groupNames,
    (r, member): ResourcePlan => {
      if (r.kind === 'resource') return { kind: 'resource', resource: r.value, member };
      const vars = templateTypes.get(r.value);
      return {
        kind: 'template',
        template: r.value,
        member,
        varsType: vars?.varsType,
        varsOptional: vars?.optional ?? true,
      };
    },
  );
  return { className, tools, prompts, resources, groups: groupList, types: requests, typeScope: types };
}
