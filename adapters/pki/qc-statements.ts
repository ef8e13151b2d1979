import { QCStatement, QCStatements } from 'pkijs';

// QCStatements (RFC 3739 §3.2.6, ETSI EN 319 412-5): the extension that says a certificate is a qualified
// one. Neither Node nor @peculiar/x509 decodes it; pkijs has the schema:
//   QCStatements ::= SEQUENCE OF QCStatement
//   QCStatement  ::= SEQUENCE { statementId OBJECT IDENTIFIER, statementInfo ANY OPTIONAL }
// Only the statement identifiers matter for the "qualified" rule, so statementInfo is not interpreted.

export const OID_QC_STATEMENTS = '1.3.6.1.5.5.7.1.3';
export const OID_QC_COMPLIANCE = '0.4.0.1862.1.1';
export const OID_QC_SSCD = '0.4.0.1862.1.4';
/** The national qualified-certificate statements; a qualified certificate carries one of them. */
export const NATIONAL_QUALIFIED_STATEMENTS: readonly string[] = ['2.16.792.1.61.0.1.5070.1.1', '2.16.792.1.61.0.1.5070.2.1'];

/** The statement identifiers in an extension value, or undefined when it is not a QCStatements structure. */
export function readQcStatementIds(extensionValue: BufferSource): string[] | undefined {
  try {
    return QCStatements.fromBER(extensionValue).values.map((statement) => statement.id);
  } catch {
    return undefined;
  }
}

/** The rule for "qualified": QcCompliance plus one of the national statements. */
export function meetsQualifiedRule(statementIds: readonly string[]): boolean {
  return statementIds.includes(OID_QC_COMPLIANCE) && statementIds.some((id) => NATIONAL_QUALIFIED_STATEMENTS.includes(id));
}

/** DER of a QCStatements value holding the given statements without statementInfo (the test CA uses it). */
export function encodeQcStatements(statementIds: readonly string[]): ArrayBuffer {
  const statements = new QCStatements();
  statements.values = statementIds.map((id) => new QCStatement({ id }));
  return statements.toSchema().toBER(false);
}
