/** Most URIs and task ids one session remembers (the oldest are forgotten first). */
const MAX_REMEMBERED = 1000;

function remember(map: Map<string, string>, key: string, value: string): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_REMEMBERED) map.delete(map.keys().next().value as string);
}

/**
 * What one gateway session learns from its servers' answers, to route later requests that carry no
 * name: the URIs a tool result linked to (a server may create resources for one session only, which no
 * catalog list shows), and the ids of the tasks a server created. Bounded.
 */
export class SessionExtras {
  /** URI → the server whose result mentioned it. */
  readonly learnedUris = new Map<string, string>();
  readonly #tasks = new Map<string, string>();

  /**
   * Looks at a server's result for URIs (tool results' `content`) and task ids.
   *
   * @param server - who answered
   */
  learn(server: string, result: Record<string, unknown>): void {
    const task = result.task as { taskId?: unknown } | undefined;
    if (typeof task?.taskId === 'string') remember(this.#tasks, task.taskId, server);
    if (!Array.isArray(result.content)) return;
    for (const block of result.content as unknown[]) {
      const b = block as { type?: unknown; uri?: unknown; resource?: { uri?: unknown } } | null;
      if (b?.type === 'resource_link' && typeof b.uri === 'string') remember(this.learnedUris, b.uri, server);
      else if (b?.type === 'resource' && typeof b.resource?.uri === 'string')
        remember(this.learnedUris, b.resource.uri, server);
    }
  }

  /** The server that created a task. */
  taskOwner(taskId: string): string | undefined {
    return this.#tasks.get(taskId);
  }
}
