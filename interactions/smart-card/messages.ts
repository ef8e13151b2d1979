import { registerCatalog, type English, type MessageKey } from '../../src/i18n/index.js';
import type { SmartCardFailure, SmartCardProfile } from './transactions.js';

const tr = {
  'method.e-signature': 'e-İmza',
  'method.id-card': 'T.C. Kimlik Kartı',
  'smart_card.e-signature.title': 'e-İmza ile giriş',
  'smart_card.e-signature.lead': 'Kimlik numaranızı yazın. Ardından e-imza kartınızı takıp Kapı İmzalayıcı uygulamasını çalıştıracaksınız.',
  'smart_card.id-card.title': 'T.C. Kimlik Kartı ile giriş',
  'smart_card.id-card.lead': 'Kimlik numaranızı yazın. Ardından kimlik kartınızı kart okuyucuya takıp Kapı İmzalayıcı uygulamasını çalıştıracaksınız.',
  'smart_card.continue': 'Devam',
  'smart_card.code_lead': 'İşlem kodunuz:',
  'smart_card.step_run': 'Bilgisayarınızda Kapı İmzalayıcı uygulamasını çalıştırın:',
  'smart_card.step_card': 'Kart tipini seçin.',
  'smart_card.step_code': 'Yukarıdaki işlem kodunu yazın ve sertifikanızı seçin.',
  'smart_card.step_pin': 'Kartınızın PIN kodunu girin. İşlem tamamlanınca bu sayfa kendiliğinden devam eder.',
  'smart_card.waiting': 'İmzanız bekleniyor. Kalan süre:',
  'smart_card.check': 'İmzaladım, devam et',
  'smart_card.cancel': 'Vazgeç',
  'smart_card.transaction_expired': 'İşlemin süresi doldu. Lütfen yeniden başlayın.',
  'smart_card.pin_incorrect': 'PIN kodu hatalı girildi. Lütfen yeniden deneyin; birkaç hatalı denemeden sonra kartınız kilitlenir.',
  'smart_card.pin_locked': 'Kartınızın PIN kodu kilitlenmiş. Kartı veren kuruma başvurarak kilidi açtırın.',
  'smart_card.cancelled': 'İmzalama iptal edildi.',
  'smart_card.no_certificate': 'Kartta uygun bir sertifika bulunamadı.',
  'smart_card.token_error': 'Kart okunamadı. Kartın takılı olduğunu ve kart tipinin doğru seçildiğini kontrol edin.',
  'smart_card.bad_signature': 'İmza doğrulanamadı. Lütfen yeniden deneyin.',
  'smart_card.untrusted': 'Sertifikanız tanınan bir elektronik sertifika hizmet sağlayıcısı tarafından verilmemiş.',
  'smart_card.expired_certificate': 'Sertifikanızın süresi dolmuş. Sertifika sağlayıcınızdan yeni sertifika alın.',
  'smart_card.not_yet_valid': 'Sertifikanız henüz geçerli değil.',
  'smart_card.revoked': 'Sertifikanız iptal edilmiş.',
  'smart_card.revocation_unknown': 'Sertifikanızın iptal durumu şu anda denetlenemiyor. Lütfen biraz sonra yeniden deneyin.',
  'smart_card.not_qualified': 'Sertifikanız nitelikli elektronik sertifika değil; e-İmza girişi için nitelikli sertifika gerekir.',
  'smart_card.wrong_key_usage': 'Seçtiğiniz sertifika bu giriş yöntemi için kullanılamaz.',
  'smart_card.e-signature.untrusted':
    'Bu sertifika tanınan bir elektronik sertifika hizmet sağlayıcısından değil. e-İmza ile girişte e-İmza kartınızdaki (ya da tokeninizdeki) nitelikli sertifikayı kullanın; T.C. kimlik kartınızı kullanıyorsanız "T.C. Kimlik Kartı" yöntemini seçin.',
  'smart_card.id-card.untrusted':
    'Bu sertifika bir T.C. kimlik kartı sertifikası değil. Kart okuyucudaki kartın T.C. kimlik kartınız olduğundan emin olun; e-İmza kartı ya da tokeni kullanıyorsanız "e-İmza" yöntemini seçin.',
  'smart_card.e-signature.not_qualified':
    'Seçtiğiniz sertifika nitelikli elektronik sertifika değil. Kapı İmzalayıcı\'da e-İmza kartınızdaki nitelikli imza sertifikasını seçin; T.C. kimlik kartınızı kullanıyorsanız "T.C. Kimlik Kartı" yöntemini seçin.',
  'smart_card.id-card.not_qualified':
    "Seçtiğiniz sertifika kimlik kartıyla giriş için kullanılamaz. Kapı İmzalayıcı'da T.C. kimlik kartınızdaki kimlik doğrulama sertifikasını seçin.",
  'smart_card.e-signature.wrong_key_usage':
    'Seçtiğiniz sertifika e-İmza ile giriş için kullanılamaz. Kapı İmzalayıcı\'da e-İmza kartınızdaki nitelikli imza sertifikasını seçin; kart T.C. kimlik kartınızsa "T.C. Kimlik Kartı" yöntemini seçin.',
  'smart_card.id-card.wrong_key_usage':
    'Seçtiğiniz sertifika kimlik kartıyla giriş için kullanılamaz. Kapı İmzalayıcı\'da T.C. kimlik kartınızdaki kimlik doğrulama sertifikasını seçin; kart e-İmza kartınızsa "e-İmza" yöntemini seçin.',
  'smart_card.e-signature.no_certificate':
    'Kartta e-İmza ile giriş için bir sertifika bulunamadı. Takılı kartın e-İmza kartınız (ya da tokeniniz) olduğunu kontrol edin; T.C. kimlik kartı için "T.C. Kimlik Kartı" yöntemini seçin.',
  'smart_card.id-card.no_certificate':
    'Kartta kimlik doğrulama sertifikası bulunamadı. Takılı kartın T.C. kimlik kartınız olduğunu kontrol edin; e-İmza kartı için "e-İmza" yöntemini seçin.',
  'smart_card.number_mismatch': 'Sertifika, yazdığınız kimlik numarasına ait değil.',
  'smart_card.malformed': 'Sertifika okunamadı.',
  'smart_card.not_in_registry': 'Bu kimlik numarası için nüfus kaydı bulunamadı.',
  'smart_card.failed': 'İmzalama tamamlanamadı. Lütfen yeniden deneyin.',
} as const;

const en: English<typeof tr> = {
  'method.e-signature': 'e-Signature',
  'method.id-card': 'National ID card',
  'smart_card.e-signature.title': 'Sign in with e-signature',
  'smart_card.e-signature.lead': 'Type your identity number. Then insert your e-signature card and run the Kapı Signer application.',
  'smart_card.id-card.title': 'Sign in with your ID card',
  'smart_card.id-card.lead': 'Type your identity number. Then put your ID card in the card reader and run the Kapı Signer application.',
  'smart_card.continue': 'Continue',
  'smart_card.code_lead': 'Your transaction code:',
  'smart_card.step_run': 'Run the Kapı Signer application on your computer:',
  'smart_card.step_card': 'Choose the card type.',
  'smart_card.step_code': 'Type the transaction code above and choose your certificate.',
  'smart_card.step_pin': 'Enter your card PIN. This page continues by itself when it is done.',
  'smart_card.waiting': 'Waiting for your signature. Time left:',
  'smart_card.check': 'I have signed, continue',
  'smart_card.cancel': 'Cancel',
  'smart_card.transaction_expired': 'The transaction has expired. Please start again.',
  'smart_card.pin_incorrect': 'The PIN was wrong. Please try again; after a few wrong attempts the card locks.',
  'smart_card.pin_locked': 'Your card PIN is locked. Ask the card issuer to unlock it.',
  'smart_card.cancelled': 'Signing was cancelled.',
  'smart_card.no_certificate': 'No suitable certificate was found on the card.',
  'smart_card.token_error': 'The card could not be read. Check that it is inserted and that the right card type is chosen.',
  'smart_card.bad_signature': 'The signature could not be verified. Please try again.',
  'smart_card.untrusted': 'Your certificate was not issued by a recognised certificate service provider.',
  'smart_card.expired_certificate': 'Your certificate has expired. Get a new one from your certificate provider.',
  'smart_card.not_yet_valid': 'Your certificate is not valid yet.',
  'smart_card.revoked': 'Your certificate has been revoked.',
  'smart_card.revocation_unknown': 'The revocation status of your certificate cannot be checked right now. Please try again shortly.',
  'smart_card.not_qualified': 'Your certificate is not a qualified electronic certificate; e-signature sign-in needs one.',
  'smart_card.wrong_key_usage': 'The chosen certificate cannot be used for this sign-in method.',
  'smart_card.e-signature.untrusted':
    'This certificate is not from a recognised certificate service provider. For e-signature, use the qualified certificate on your e-signature card (or token); if you are using your Turkish ID card, choose "National ID card".',
  'smart_card.id-card.untrusted':
    'This is not a Turkish ID card certificate. Check that the card in the reader is your Turkish ID card; if you are using an e-signature card or token, choose "e-Signature".',
  'smart_card.e-signature.not_qualified':
    'The chosen certificate is not a qualified electronic certificate. In the Kapı Signer, choose the qualified signing certificate on your e-signature card; if you are using your Turkish ID card, choose "National ID card".',
  'smart_card.id-card.not_qualified':
    'The chosen certificate cannot be used for ID card sign-in. In the Kapı Signer, choose the authentication certificate on your Turkish ID card.',
  'smart_card.e-signature.wrong_key_usage':
    'The chosen certificate cannot be used for e-signature sign-in. In the Kapı Signer, choose the qualified signing certificate on your e-signature card; if the card is your Turkish ID card, choose "National ID card".',
  'smart_card.id-card.wrong_key_usage':
    'The chosen certificate cannot be used for ID card sign-in. In the Kapı Signer, choose the authentication certificate on your Turkish ID card; if the card is your e-signature card, choose "e-Signature".',
  'smart_card.e-signature.no_certificate':
    'No certificate for e-signature sign-in was found on the card. Check that the card (or token) is your e-signature card; for your Turkish ID card, choose "National ID card".',
  'smart_card.id-card.no_certificate':
    'No authentication certificate was found on the card. Check that the card is your Turkish ID card; for an e-signature card, choose "e-Signature".',
  'smart_card.number_mismatch': 'The certificate does not belong to the identity number you typed.',
  'smart_card.malformed': 'The certificate cannot be read.',
  'smart_card.not_in_registry': 'No population record was found for this identity number.',
  'smart_card.failed': 'Signing did not complete. Please try again.',
};

registerCatalog(tr, en);

declare module '../../src/i18n/index.js' {
  interface Catalogs {
    'interactions/smart-card/messages': typeof tr;
  }
}

/** Each card's own words: its name, its pages' heading and lead. */
export const PROFILE_TEXT = {
  'e-signature': { label: 'method.e-signature', title: 'smart_card.e-signature.title', lead: 'smart_card.e-signature.lead' },
  'id-card': { label: 'method.id-card', title: 'smart_card.id-card.title', lead: 'smart_card.id-card.lead' },
} as const satisfies Record<SmartCardProfile, { label: MessageKey; title: MessageKey; lead: MessageKey }>;

const FAILURE_MESSAGE = {
  pin_incorrect: 'smart_card.pin_incorrect',
  pin_locked: 'smart_card.pin_locked',
  cancelled: 'smart_card.cancelled',
  no_certificate: 'smart_card.no_certificate',
  token_error: 'smart_card.token_error',
  bad_signature: 'smart_card.bad_signature',
  malformed: 'smart_card.malformed',
  untrusted: 'smart_card.untrusted',
  expired_certificate: 'smart_card.expired_certificate',
  not_yet_valid: 'smart_card.not_yet_valid',
  revoked: 'smart_card.revoked',
  revocation_unknown: 'smart_card.revocation_unknown',
  not_qualified: 'smart_card.not_qualified',
  wrong_key_usage: 'smart_card.wrong_key_usage',
  number_mismatch: 'smart_card.number_mismatch',
  failed: 'smart_card.failed',
} as const satisfies Record<SmartCardFailure, MessageKey>;

/**
 * Refusals that mean "wrong card or wrong certificate": their message is per method (issue 20 point 6),
 * saying which card and certificate this method needs and which method suits the other card.
 */
const WRONG_CERTIFICATE_MESSAGE = {
  'e-signature': {
    untrusted: 'smart_card.e-signature.untrusted',
    not_qualified: 'smart_card.e-signature.not_qualified',
    wrong_key_usage: 'smart_card.e-signature.wrong_key_usage',
    no_certificate: 'smart_card.e-signature.no_certificate',
  },
  'id-card': {
    untrusted: 'smart_card.id-card.untrusted',
    not_qualified: 'smart_card.id-card.not_qualified',
    wrong_key_usage: 'smart_card.id-card.wrong_key_usage',
    no_certificate: 'smart_card.id-card.no_certificate',
  },
} as const satisfies Record<SmartCardProfile, Partial<Record<SmartCardFailure, MessageKey>>>;

/** What the identify page says after a failed attempt with this card. */
export function failureMessage(profile: SmartCardProfile, reason: SmartCardFailure): MessageKey {
  const perCard: Partial<Record<SmartCardFailure, MessageKey>> = WRONG_CERTIFICATE_MESSAGE[profile];
  return perCard[reason] ?? FAILURE_MESSAGE[reason];
}
