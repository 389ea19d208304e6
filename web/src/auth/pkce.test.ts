import { describe, expect, it } from 'vitest';
import { allowsPlainHttp } from './pkce';

describe('the sign-in', () => {
  it('speaks plain HTTP to a provider on this machine only', () => {
    for (const issuer of ['http://127.0.0.1:9000', 'http://localhost:8081/realms/vestegn', 'http://[::1]:9000']) {
      expect(allowsPlainHttp(new URL(issuer)), issuer).toBe(true);
    }
    for (const issuer of ['http://id.example.dk/realms/vestegn', 'http://127.0.0.1.example.dk', 'http://10.0.0.1']) {
      expect(allowsPlainHttp(new URL(issuer)), issuer).toBe(false);
    }
  });
});
