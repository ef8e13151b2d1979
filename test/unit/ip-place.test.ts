import { describe, expect, it } from '@jest/globals';
import { CidrPlaceTable, localOnly } from '../../adapters/geoip/cidr-table.js';

describe('approximate place of an IP address', () => {
  const table = new CidrPlaceTable(['# network,place', '85.96.0.0/12,Türkiye', '85.100.0.0/16,Ankara, Türkiye', '2a02:e0::/29,İstanbul, Türkiye']);

  it('finds the most specific network', () => {
    expect(table.locate('85.100.3.4')).toBe('Ankara, Türkiye');
    expect(table.locate('85.97.0.1')).toBe('Türkiye');
    expect(table.locate('::ffff:85.100.3.4')).toBe('Ankara, Türkiye');
    expect(table.locate('2a02:e0:1::5')).toBe('İstanbul, Türkiye');
  });

  it('says local for private and loopback addresses, nothing for unknown ones', () => {
    expect(table.locate('127.0.0.1')).toBe('local');
    expect(table.locate('192.168.1.20')).toBe('local');
    expect(localOnly.locate('::1')).toBe('local');
    expect(table.locate('8.8.8.8')).toBeUndefined();
    expect(table.locate('not an ip')).toBeUndefined();
  });

  it('refuses a malformed table line with its number', () => {
    expect(() => new CidrPlaceTable(['85.96.0.0/12,Türkiye', '85.96.0.0,no prefix'])).toThrow(/line 2/);
    expect(() => new CidrPlaceTable(['85.96.0.0/40,x'])).toThrow(/line 1/);
  });
});
