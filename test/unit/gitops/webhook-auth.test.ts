import { createHmac } from 'node:crypto';
import { constantTimeEqual, githubSignature, isPing, parseListenAddress, verifyWebhook } from '../../../src/gitops/webhook-auth.js';

const token = Buffer.from("It's a Secret to Everybody");
const body = Buffer.from('Hello, World!');

describe('githubSignature', () => {
  it("matches GitHub's documented example", () => {
    // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
    expect(githubSignature(body, token)).toBe('sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
  });
});

describe('verifyWebhook', () => {
  const signature = `sha256=${createHmac('sha256', token).update(body).digest('hex')}`;

  it('accepts a GitHub signature of the exact body, in either case of hex', () => {
    expect(verifyWebhook({ 'x-hub-signature-256': signature }, body, token)).toEqual({ ok: true, via: 'github' });
    expect(verifyWebhook({ 'x-hub-signature-256': signature.toUpperCase().replace('SHA256=', 'sha256=') }, body, token)).toEqual({ ok: true, via: 'github' });
  });

  it('refuses a GitHub signature of another body, under another token, or malformed', () => {
    expect(verifyWebhook({ 'x-hub-signature-256': signature }, Buffer.from('Hello, World?'), token)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/does not match/),
    });
    expect(verifyWebhook({ 'x-hub-signature-256': githubSignature(body, 'other') }, body, token)).toMatchObject({ ok: false });
    expect(verifyWebhook({ 'x-hub-signature-256': signature.slice(7) }, body, token)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not of the form sha256=/),
    });
    expect(verifyWebhook({ 'x-hub-signature-256': `${signature}00` }, body, token)).toMatchObject({ ok: false });
  });

  it('accepts the GitLab token only when it is the exact secret', () => {
    expect(verifyWebhook({ 'x-gitlab-token': token.toString() }, body, token)).toEqual({ ok: true, via: 'gitlab' });
    expect(verifyWebhook({ 'x-gitlab-token': "It's a Secret to Everybody " }, body, token)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/X-Gitlab-Token/),
    });
    expect(verifyWebhook({ 'x-gitlab-token': '' }, body, token)).toMatchObject({ ok: false });
  });

  it('judges by the GitHub header when both are sent', () => {
    expect(verifyWebhook({ 'x-hub-signature-256': githubSignature(body, 'other'), 'x-gitlab-token': token.toString() }, body, token)).toMatchObject({ ok: false });
  });

  it('refuses a call with neither header and says which to send', () => {
    expect(verifyWebhook({ 'x-hub-signature': 'sha1=abc' }, body, token)).toEqual({
      ok: false,
      reason: expect.stringMatching(/X-Hub-Signature-256 \(GitHub\) or X-Gitlab-Token \(GitLab\)/),
    });
  });
});

describe('constantTimeEqual', () => {
  it('compares values of any lengths', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual(Buffer.from('abc'), 'abc')).toBe(true);
  });
});

describe('isPing', () => {
  it('is GitHub’s ping event only', () => {
    expect(isPing({ 'x-github-event': 'ping' })).toBe(true);
    expect(isPing({ 'x-github-event': 'push' })).toBe(false);
    expect(isPing({})).toBe(false);
  });
});

describe('parseListenAddress', () => {
  it.each([
    [':9292', { port: 9292 }],
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
    ['[::1]:9292', { host: '::1', port: 9292 }],
    ['localhost:80', { host: 'localhost', port: 80 }],
  ])('%s', (addr, expected) => {
    expect(parseListenAddress(addr)).toEqual(expected);
  });

  it.each(['9292', '127.0.0.1', ':65536', 'host:port', '::1:9292', ''])('refuses %p', (addr) => {
    expect(() => parseListenAddress(addr)).toThrow(/expected \[HOST\]:PORT, e.g. :9292/);
  });
});
