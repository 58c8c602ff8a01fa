import { matchesConstraint, parseConstraint, parseConstraints } from '../../../src/scheduler/constraints.js';
import { node } from '../orchestrator/fixtures.js';

describe('parseConstraint', () => {
  it.each([
    ['node.labels.zone==east', { key: 'node.labels.zone', op: '==', value: 'east', text: 'node.labels.zone==east' }],
    ['  node.role != manager ', { key: 'node.role', op: '!=', value: 'manager', text: 'node.role!=manager' }],
    ['Node.Hostname==web-1', { key: 'node.hostname', op: '==', value: 'web-1' }],
    ['engine.labels.storage==ssd', { key: 'engine.labels.storage', op: '==', value: 'ssd' }],
    ['node.id==abc123', { key: 'node.id', op: '==', value: 'abc123' }],
    ['node.platform.os==linux', { key: 'node.platform.os', op: '==', value: 'linux' }],
    ['node.labels.Tier==front end', { key: 'node.labels.Tier', value: 'front end' }], // label names keep their case
  ])('%s', (text, expected) => {
    expect(parseConstraint(text)).toMatchObject(expected);
  });

  it.each([
    ['node.labels.zone=east', 'invalid constraint "node.labels.zone=east": expected KEY==VALUE or KEY!=VALUE'],
    ['==east', 'invalid constraint "==east": expected KEY==VALUE or KEY!=VALUE'],
    ['node.labels.==east', 'invalid constraint "node.labels.==east": missing label name'],
    [
      'node.zone==east',
      'invalid constraint "node.zone==east": unknown key node.zone (known: node.id, node.hostname, node.role, node.platform.os, node.platform.arch, node.labels.<name>, engine.labels.<name>)',
    ],
    ['node.role==', 'invalid constraint "node.role==": bad value ""'],
    ['node.role==a{b}', 'invalid constraint "node.role==a{b}": bad value "a{b}"'],
  ])('rejects %s', (text, message) => {
    expect(() => parseConstraint(text)).toThrow(message);
  });

  it('parseConstraints reports the first invalid one', () => {
    expect(parseConstraints(['node.role==worker', 'bad', 'worse'])).toEqual({ ok: false, error: 'invalid constraint "bad": expected KEY==VALUE or KEY!=VALUE' });
    expect(parseConstraints(['node.role==worker'])).toMatchObject({ ok: true, constraints: [{ key: 'node.role' }] });
  });
});

describe('matchesConstraint', () => {
  const n = node('node-1', { role: 'manager', labels: { zone: 'East' }, engineLabels: { disk: 'ssd' }, hostname: 'h1' });
  it.each([
    ['node.labels.zone==east', true], // values compare case-insensitively
    ['node.labels.zone!=east', false],
    ['node.labels.zone==west', false],
    ['node.labels.rack==1', false], // missing label reads as ""
    ['node.labels.rack!=1', true],
    ['engine.labels.disk==ssd', true],
    ['engine.labels.disk!=ssd', false],
    ['node.role==manager', true],
    ['node.role!=manager', false],
    ['node.hostname==h1', true],
    ['node.id==node-1', true], // by name
    ['node.id==uid-node-1', true], // or by uid
    ['node.id!=node-1', false],
    ['node.platform.os==linux', true],
    ['node.platform.arch==arm64', false],
  ])('%s: %s', (text, expected) => {
    expect(matchesConstraint(parseConstraint(text), n)).toBe(expected);
  });
});
