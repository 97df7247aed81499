import type { InspectReport } from '../introspect/report.js';

/** What the schema generators describe: the listed surface of one server (an inspect report fits). */
export type ServerSurface = Pick<
  InspectReport,
  'serverInfo' | 'protocol' | 'instructions' | 'tools' | 'resources' | 'resourceTemplates' | 'prompts'
>;
