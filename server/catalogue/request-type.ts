/**
 * The rules of an information request (issue 19), one definition for the pack check
 * (server/geodata/pack-check.ts), the admin editor and the catalogue import: an information
 * request carries the answer the dispatcher gives on the call (so it closes at first contact),
 * nothing else carries an answer, and an information request is a leaf (no kinds below it).
 */
export type RequestType = 'information' | 'complaint';

export interface RequestTypeFacts {
  type?: RequestType | null;
  answer?: unknown;
  /** how many (active) kinds are below the node */
  children?: number;
}

/** The problems of one node, as short phrases ("is an information request without an answer"); empty when it is sound. */
export function requestTypeProblems(node: RequestTypeFacts): string[] {
  const problems: string[] = [];
  const hasAnswer = node.answer != null;
  if (node.type === 'information' && !hasAnswer) problems.push('is an information request without an answer');
  if (hasAnswer && node.type !== 'information') problems.push('has an answer but is not an information request');
  if (node.type === 'information' && (node.children ?? 0) > 0) problems.push('is an information request with kinds below it');
  return problems;
}
