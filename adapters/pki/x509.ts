// The one door to @peculiar/x509 in Kapı. The library loads tsyringe, which throws at load time unless a
// Reflect metadata API is installed (./reflect-metadata.ts). A static `export * from '@peculiar/x509'`
// after the polyfill import is not enough: Jest loads CommonJS dependencies of an ES module while linking,
// before any module body runs. Requiring the library here, after the polyfill has run, orders it the same
// way under Node and under Jest. Import certificate classes from this module, never from the package.
import './reflect-metadata.js';
import { createRequire } from 'node:module';
import type * as X509 from '@peculiar/x509';

const x509 = createRequire(import.meta.url)('@peculiar/x509') as typeof X509;

export type { JsonNameParams } from '@peculiar/x509';

export const AuthorityInfoAccessExtension = x509.AuthorityInfoAccessExtension;
export type AuthorityInfoAccessExtension = X509.AuthorityInfoAccessExtension;
export const AuthorityKeyIdentifierExtension = x509.AuthorityKeyIdentifierExtension;
export type AuthorityKeyIdentifierExtension = X509.AuthorityKeyIdentifierExtension;
export const BasicConstraintsExtension = x509.BasicConstraintsExtension;
export type BasicConstraintsExtension = X509.BasicConstraintsExtension;
export const CRLDistributionPointsExtension = x509.CRLDistributionPointsExtension;
export type CRLDistributionPointsExtension = X509.CRLDistributionPointsExtension;
export const ExtendedKeyUsage = x509.ExtendedKeyUsage;
export type ExtendedKeyUsage = X509.ExtendedKeyUsage;
export const ExtendedKeyUsageExtension = x509.ExtendedKeyUsageExtension;
export type ExtendedKeyUsageExtension = X509.ExtendedKeyUsageExtension;
export const Extension = x509.Extension;
export type Extension = X509.Extension;
export const KeyUsageFlags = x509.KeyUsageFlags;
export type KeyUsageFlags = X509.KeyUsageFlags;
export const KeyUsagesExtension = x509.KeyUsagesExtension;
export type KeyUsagesExtension = X509.KeyUsagesExtension;
export const Name = x509.Name;
export type Name = X509.Name;
export const PublicKey = x509.PublicKey;
export type PublicKey = X509.PublicKey;
export const SubjectKeyIdentifierExtension = x509.SubjectKeyIdentifierExtension;
export type SubjectKeyIdentifierExtension = X509.SubjectKeyIdentifierExtension;
export const X509Certificate = x509.X509Certificate;
export type X509Certificate = X509.X509Certificate;
export const X509CertificateGenerator = x509.X509CertificateGenerator;
export type X509CertificateGenerator = X509.X509CertificateGenerator;
export const X509Crl = x509.X509Crl;
export type X509Crl = X509.X509Crl;
export const X509CrlGenerator = x509.X509CrlGenerator;
export type X509CrlGenerator = X509.X509CrlGenerator;
