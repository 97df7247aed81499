/**
 * Commander's argument parser for a repeatable option: each use adds its value to the list.
 *
 * @param value - this use's value
 * @param previous - the values of the earlier uses (`undefined` at the first)
 * @returns all values so far, in order
 */
export const collect = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  value,
];
