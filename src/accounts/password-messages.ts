import { registerCatalog, type English, type MessageKey } from '../i18n/index.js';
import type { PasswordRuleViolation } from './password-rules.js';

// The password rules in words (./password-rules.ts): every page that sets a password lists them and
// names what a refused password broke (the password method's one-time change, the account pages'
// change and reset).
const tr = {
  'password.rules_title': 'Güvenli şifre kuralları',
  'password.rule.length': '{min} ile {max} karakter arasında olmalı; uzun bir cümle en iyisidir.',
  'password.rule.common': 'Sık kullanılan ya da tahmin edilmesi kolay bir şifre olmamalı.',
  'password.rule.repetitive': 'Tekrar eden ya da sıralı karakterlerden (aaaa, 1234, abcd) oluşmamalı.',
  'password.rule.personal': 'Kimlik numaranızı, doğum tarihinizi ya da adınızı içermemeli.',
  'password.violation.too_short': 'Şifre en az {min} karakter olmalı.',
  'password.violation.too_long': 'Şifre en fazla {max} karakter olabilir.',
  'password.violation.common': 'Bu şifre çok yaygın; başka bir şifre seçin.',
  'password.violation.repetitive': 'Şifre tekrar eden ya da sıralı karakterlerden oluşuyor.',
  'password.violation.contains_identity_number': 'Şifre kimlik numaranızı içeriyor.',
  'password.violation.contains_birthdate': 'Şifre doğum tarihinizi içeriyor.',
  'password.violation.contains_name': 'Şifre adınızı ya da soyadınızı içeriyor.',
  'password.violation.same_as_current': 'Yeni şifre şu anki şifrenizle aynı; farklı bir şifre seçin.',
  'password.violation.same_as_one_time': 'Bu, ofisten aldığınız tek kullanımlık şifre; yerine kendi belirleyeceğiniz yeni bir şifre yazın.',
} as const;

const en: English<typeof tr> = {
  'password.rules_title': 'Rules for a safe password',
  'password.rule.length': 'Between {min} and {max} characters; a long sentence is best.',
  'password.rule.common': 'Not a common or easily guessed password.',
  'password.rule.repetitive': 'Not repeated or sequential characters (aaaa, 1234, abcd).',
  'password.rule.personal': 'Not containing your identity number, date of birth or name.',
  'password.violation.too_short': 'The password must have at least {min} characters.',
  'password.violation.too_long': 'The password can have at most {max} characters.',
  'password.violation.common': 'This password is too common; choose another.',
  'password.violation.repetitive': 'The password is made of repeated or sequential characters.',
  'password.violation.contains_identity_number': 'The password contains your identity number.',
  'password.violation.contains_birthdate': 'The password contains your date of birth.',
  'password.violation.contains_name': 'The password contains your name.',
  'password.violation.same_as_current': 'The new password is the same as your current one; choose a different one.',
  'password.violation.same_as_one_time': 'This is the one-time password you were given at the office; type a new password of your own instead.',
};

registerCatalog(tr, en);

declare module '../i18n/index.js' {
  interface Catalogs {
    'src/accounts/password-messages': typeof tr;
  }
}

/** What a page says for each rule a new password broke (`{min}`, `{max}`: the length window). */
export const VIOLATION_MESSAGE = {
  same_as_current: 'password.violation.same_as_current',
  same_as_one_time: 'password.violation.same_as_one_time',
  too_short: 'password.violation.too_short',
  too_long: 'password.violation.too_long',
  common: 'password.violation.common',
  repetitive: 'password.violation.repetitive',
  contains_identity_number: 'password.violation.contains_identity_number',
  contains_birthdate: 'password.violation.contains_birthdate',
  contains_name: 'password.violation.contains_name',
} as const satisfies Record<PasswordRuleViolation, MessageKey>;
