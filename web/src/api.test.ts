import { describe, expect, it } from 'vitest';
import { operationUrl } from './api';
import { ChooserDocument, CompareDocument } from './gql/graphql';
import persisted from './gql/persisted-documents.json';

describe('operationUrl', () => {
  it('asks for a registered operation by its id, with its variables', () => {
    const url = new URL(operationUrl(CompareDocument, { codes: [165, 791], asOf: '2023-03-27' }), 'http://x');
    expect(url.pathname).toBe('/graphql');
    const id = url.searchParams.get('documentId');
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(Object.keys(persisted)).toContain(id);
    expect(url.searchParams.get('query')).toBeNull();
    expect(JSON.parse(url.searchParams.get('variables') ?? '')).toEqual({ codes: [165, 791], asOf: '2023-03-27' });
  });

  it('sends no variables when there are none, and the text of an unregistered operation', () => {
    const url = new URL(operationUrl(ChooserDocument), 'http://x');
    expect(url.searchParams.get('variables')).toBeNull();
    const unregistered = new URL(operationUrl({ toString: () => '{ sources { key } }' }), 'http://x');
    expect(unregistered.searchParams.get('query')).toBe('{ sources { key } }');
    expect(unregistered.searchParams.get('documentId')).toBeNull();
  });
});
