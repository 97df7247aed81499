import { describe, expect, it } from 'vitest';
import { asciiWord, identifier, NameScope, pascalCase, upperSnake, words } from '../../src/schema/names.js';
import { parseUriTemplate, uriTemplateVariables } from '../../src/schema/uri-template.js';

describe('names', () => {
  it('folds to ASCII identifiers', () => {
    expect(asciiWord('créer_élément')).toBe('creer_element');
    expect(asciiWord('get.user-profile')).toBe('get_user_profile');
    expect(identifier('1st')).toBe('_1st');
    expect(identifier('')).toBe('_');
    expect(identifier('日本')).toBe('__');
  });

  it('converts case', () => {
    expect(words('getUser.profile-v2')).toEqual(['get', 'User', 'profile', 'v2']);
    expect(pascalCase('get.user-profile')).toBe('GetUserProfile');
    expect(pascalCase('1st-tool')).toBe('_1stTool');
    expect(pascalCase('***')).toBe('Unnamed');
    expect(upperSnake('e-mail')).toBe('E_MAIL');
  });

  it('hands out unique names, honouring reserved ones', () => {
    const scope = new NameScope(['Query']);
    expect(scope.claim('Query')).toBe('Query_2');
    expect(scope.claim('a')).toBe('a');
    expect(scope.claim('a')).toBe('a_2');
    const ci = new NameScope([], { caseInsensitive: true });
    expect(ci.claim('Foo')).toBe('Foo');
    expect(ci.claim('foo')).toBe('foo_2');
  });
});

describe('URI templates', () => {
  it('splits literals and expressions', () => {
    expect(parseUriTemplate('a/{b}{?c,d*}x')).toEqual([
      { kind: 'literal', text: 'a/' },
      { kind: 'expression', operator: '', variables: ['b'], raw: '{b}' },
      { kind: 'expression', operator: '?', variables: ['c', 'd'], raw: '{?c,d*}' },
      { kind: 'literal', text: 'x' },
    ]);
  });

  it('lists variables with required-ness', () => {
    expect(uriTemplateVariables('files://{+path}{?limit}{#frag}/{path}')).toEqual([
      { name: 'path', required: true },
      { name: 'limit', required: false },
      { name: 'frag', required: false },
    ]);
  });
});
