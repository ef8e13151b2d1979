import type { Notification } from '../../../../accounts/notifier.js';
import { registerCatalog, type English, type MessageKey } from '../../../../i18n/index.js';
import type { NotMeAdvice } from './not-me-plan.js';
import type { ContactKind } from '../../../../accounts/account-repository.js';

const tr = {
  'account.nav.history': 'Giriş geçmişi',
  'history.title': 'Giriş geçmişi',
  'history.lead':
    'Kapı’ya ve kurumlara yaptığınız girişler ve giriş denemeleri, en yenisi en üstte. Tanımadığınız bir giriş görürseniz altındaki "Bu ben değilim" düğmesine basın: tüm oturumlarınız sonlandırılır ve o girişte kullanılan yöntem kapatılır.',
  'history.tabs.label': 'Geçmiş bölümleri',
  'history.tabs.sign_ins': 'Girişler',
  'history.tabs.institutions': 'Bilgi paylaşılan kurumlar',
  'history.empty': 'Kayıtlı bir giriş yok.',
  'history.at': 'Zaman',
  'history.where': 'Nereye',
  'history.method': 'Yöntem',
  'history.level': 'Güvence düzeyi',
  'history.result': 'Sonuç',
  'history.ip': 'IP adresi',
  'history.device': 'Cihaz',
  'history.unknown': 'bilinmiyor',
  'history.place': 'Yaklaşık konum',
  'history.place.local': 'yerel ağ',
  'history.place.unknown': 'bilinmiyor',
  'history.not_me.button': 'Bu ben değilim',
  'history.not_me.confirm_title': 'Bu giriş sizin değil mi?',
  'history.not_me.confirm_lead': 'Aşağıdaki girişi siz yapmadıysanız hesabınızı şimdi güvenceye alın.',
  'history.not_me.will_happen': 'Onaylarsanız',
  'history.not_me.will.end_all':
    'Bu oturum dahil tüm oturumlarınız sonlandırılır ve kurumların elindeki erişim yetkileri, uzun süreli olanlar dahil, iptal edilir.',
  'history.not_me.will.close_password':
    'Şifre ile giriş kapatılır: şifreniz doğru girilse bile kabul edilmez. Yeniden açmak için e-İmza veya mobil imza ile giriş yapıp "Güvenlik ve ayarlar" sayfasını kullanabilir ya da PTT veya Türksat Kablo ofisinden yeni şifre alabilirsiniz.',
  'history.not_me.will.block_banking':
    'İnternet Bankacılığı ile giriş kapatılır. Yeniden açmak için başka bir yöntemle giriş yapıp "Güvenlik ve ayarlar" sayfasının "Erişim kısıtlamaları" bölümünü kullanabilirsiniz.',
  'history.not_me.also': 'Sizin de yapmanız gerekenler',
  'history.not_me.advice.certificate_provider':
    'Bu giriş e-İmza ile yapıldı. Kapı e-İmzanızı kapatamaz: sertifikanızı aldığınız elektronik sertifika hizmet sağlayıcısını arayıp sertifikanızı iptal ettirin; kartınızın ve PIN’inizin başkasında olmadığından emin olun.',
  'history.not_me.advice.id_card':
    'Bu giriş T.C. Kimlik Kartı ile yapıldı. Kapı kartınızı kapatamaz: kartınız kaybolduysa ya da PIN’inizi başkası biliyorsa nüfus müdürlüğüne başvurup kartınızın sertifikasını iptal ettirin.',
  'history.not_me.advice.gsm_operator':
    'Bu giriş mobil imza ile yapıldı. Kapı mobil imzanızı kapatamaz: GSM operatörünüzü arayıp mobil imzanızı askıya aldırın; SIM kartınızın sizde olduğundan emin olun.',
  'history.not_me.advice.second_factors':
    'Bu girişte ikinci adım da geçildi. "İki Aşamalı Doğrulama" sayfasında telefonunuzu, kayıtlı cihazlarınızı ve e-Devlet Anahtarınızı kontrol edin; tanımadığınızı kaldırın.',
  'history.not_me.advice.earlier_sign_in':
    'Bu giriş daha önce açılmış bir oturumla yapıldı. Geçmişte o oturumu açan girişi bulun; o da sizin değilse onun için de "Bu ben değilim" deyin.',
  'history.not_me.confirm': 'Evet, bu ben değilim',
  'history.not_me.cancel': 'Vazgeç',
  'history.not_me.done_title': 'Hesabınız güvenceye alındı',
  'history.not_me.done.ended':
    'Bildiriminiz kaydedildi. Bu tarayıcıdaki dahil tüm oturumlarınız sonlandırıldı ve kurumların elindeki erişim yetkileri iptal edildi.',
  'history.not_me.done.password_closed': 'Şifre ile giriş kapatıldı.',
  'history.not_me.done.banking_closed': 'İnternet Bankacılığı ile giriş kapatıldı.',
  'history.not_me.will.drop_phone':
    'Bu girişten sonra doğrulanan cep telefonu numarası hesabınızdan silinir (başkasınınki olabilir: şifre yenileme kodları ve girişi onaylayan SMS ona gider). Kendi numaranızı "İletişim Tercihlerim" sayfasında yeniden ekleyip doğrulayın.',
  'history.not_me.will.drop_email':
    'Bu girişten sonra doğrulanan e-posta adresi hesabınızdan silinir (başkasınınki olabilir). Kendi adresinizi "İletişim Tercihlerim" sayfasında yeniden ekleyip doğrulayın.',
  'history.not_me.done.phone_removed': 'Bu girişten sonra doğrulanan cep telefonu numarası silindi.',
  'history.not_me.done.email_removed': 'Bu girişten sonra doğrulanan e-posta adresi silindi.',
  'history.not_me.next': 'Şimdi ne yapmalısınız',
  'history.not_me.next.reopen_password':
    'Şifre ile girişi yeniden açmak için e-İmza veya mobil imza ile giriş yapın, yeni bir şifre belirleyin ve "Güvenlik ve ayarlar" sayfasından şifre ile girişi açın; ya da PTT veya Türksat Kablo ofisinden yeni şifre alın (yeni şifre girişi de açar).',
  'history.not_me.next.reopen_banking':
    'Bankanızın şifresini değiştirin. İnternet Bankacılığı ile girişi yeniden açmak için başka bir yöntemle giriş yapıp "Güvenlik ve ayarlar" sayfasının "Erişim kısıtlamaları" bölümünü kullanın.',
  'history.not_me.next.check': 'Yeniden giriş yaptığınızda iletişim bilgilerinizi ve giriş geçmişinizi kontrol edin.',
  'history.not_me.sign_in': 'Yeniden giriş yap',
  'history.not_me.notify.password': 'Şifre ile giriş kapatıldı.',
  'history.not_me.notify.banking': 'İnternet Bankacılığı ile giriş kapatıldı.',
  'history.notify.not_me.sms': 'Kapı: {when} tarihinde bir giriş için "Bu ben değilim" bildirildi; tüm oturumlarınız sonlandırıldı. {closed}',
  'history.notify.not_me.subject': 'Tüm oturumlarınız sonlandırıldı',
  'history.notify.not_me.mail':
    '{when} tarihinde giriş geçmişinizdeki bir giriş için "Bu ben değilim" bildirildi. Tüm oturumlarınız sonlandırıldı ve kurumların elindeki erişim yetkileri iptal edildi. {closed}\n\nBu bildirimi siz yapmadıysanız başka bir yöntemle giriş yapıp giriş geçmişinizi kontrol edin.',
  'history.unknown_device': 'bilinmeyen cihaz',
  'history.where.kapi': 'Kapı',
  'history.where.account': 'Kapı – Hesabım',
  'history.method.session': 'açık oturum',
  'history.result.success': 'Başarılı',
  'history.result.invalid_credentials': 'Başarısız: kimlik numarası veya şifre hatalı',
  'history.result.invalid_code': 'Başarısız: doğrulama kodu hatalı',
  'history.result.password_login_closed': 'Reddedildi: şifre ile giriş kapalı',
  'history.result.rate_limited': 'Reddedildi: çok fazla deneme',
  'history.result.failed': 'Başarısız',
  'history.pages': 'Geçmişin sayfaları',
  'history.older': 'Daha eski girişler',
  'history.newest': 'En yeni girişler',
  'history.institutions.title': 'Bilgi paylaşılan kurumlar',
  'history.institutions.lead':
    'Bilgilerinizi alan kurumlar, hangi bilgileri ve ne zaman aldıkları. İzninizi geri alırsanız kurum bir sonraki girişinizde yeniden izin ister.',
  'history.institutions.empty': 'Henüz hiçbir kuruma bilgi paylaşılmadı.',
  'history.institutions.claims': 'Paylaşılan bilgiler',
  'history.institutions.first': 'İlk paylaşım',
  'history.institutions.last': 'Son paylaşım',
  'history.institutions.times': 'Paylaşım sayısı',
  'history.institutions.recent': 'Son paylaşımlar',
  'history.institutions.consented': 'İzin verilen bilgiler',
  'history.institutions.nothing_received': 'Bu kurum izninizle henüz hiçbir bilgi almadı.',
  'history.institutions.withdraw': 'İzni geri al',
  'history.institutions.withdraw_explain':
    'İzni geri aldığınızda kurumun elindeki erişim yetkileri iptal edilir; kurum bilgilerinizi yeniden almak için sizden yeniden izin ister.',
  'history.institutions.not_remembered': 'Bu kurum için kayıtlı bir izin yok; bir sonraki girişte izin istenir.',
  'history.institutions.withdrawn': '{institution} için izniniz geri alındı.',
  'history.channel.id_token': 'giriş',
  'history.channel.userinfo': 'bilgi sorgusu',
  'history.channel.introspection': 'yetki sorgusu',
  'history.notify.consent_withdrawn.sms': 'Kapı: {institution} için bilgi paylaşım izniniz geri alındı.',
  'history.notify.consent_withdrawn.subject': 'Bilgi paylaşım izni geri alındı',
  'history.notify.consent_withdrawn.mail':
    '{institution} için bilgi paylaşım izniniz geri alındı. Kurum bilgilerinizi yeniden almak için bir sonraki girişinizde sizden izin isteyecek.',
} as const;

const en: English<typeof tr> = {
  'account.nav.history': 'Login history',
  'history.title': 'Login history',
  'history.lead':
    'Your sign-ins and sign-in attempts to Kapı and to institutions, newest first. If you see one you do not recognise, press "This wasn\'t me" below it: every session of yours ends and the method used in it is closed.',
  'history.tabs.label': 'Parts of the history',
  'history.tabs.sign_ins': 'Sign-ins',
  'history.tabs.institutions': 'Institutions that received data',
  'history.empty': 'No sign-ins recorded.',
  'history.at': 'Time',
  'history.where': 'Where',
  'history.method': 'Method',
  'history.level': 'Level of assurance',
  'history.result': 'Result',
  'history.ip': 'IP address',
  'history.device': 'Device',
  'history.unknown': 'unknown',
  'history.place': 'Approximate place',
  'history.place.local': 'a local network',
  'history.place.unknown': 'unknown',
  'history.not_me.button': "This wasn't me",
  'history.not_me.confirm_title': "Wasn't this sign-in you?",
  'history.not_me.confirm_lead': 'If you did not make the sign-in below, secure your account now.',
  'history.not_me.will_happen': 'If you confirm',
  'history.not_me.will.end_all':
    'Every session of yours ends, this one included, and every access an institution holds for you, long-lived ones included, is cancelled.',
  'history.not_me.will.close_password':
    'Password sign-in is closed: your password is refused even when typed correctly. To open it again, sign in with e-signature or mobile signature and use "Security and settings", or get a new password at a post office or cable office.',
  'history.not_me.will.block_banking':
    'Sign-in with online banking is closed. To open it again, sign in with another method and use "Access restrictions" on the "Security and settings" page.',
  'history.not_me.also': 'What you should also do',
  'history.not_me.advice.certificate_provider':
    'This sign-in used e-signature. Kapı cannot close your e-signature: call the certificate service provider that issued your certificate and have it revoked; make sure nobody else has your card or its PIN.',
  'history.not_me.advice.id_card':
    "This sign-in used the ID card. Kapı cannot close your card: if it is lost or someone else knows its PIN, go to a population office and have the card's certificate revoked.",
  'history.not_me.advice.gsm_operator':
    'This sign-in used mobile signature. Kapı cannot close your mobile signature: call your GSM operator and have it suspended; make sure your SIM card is with you.',
  'history.not_me.advice.second_factors':
    'This sign-in also passed a second step. Check your phone, registered devices and e-Government Key on the "Two-Factor Authentication" page and remove any you do not recognise.',
  'history.not_me.advice.earlier_sign_in':
    'This sign-in used a session opened earlier. Find the sign-in that opened it in your history; if that was not you either, report it too.',
  'history.not_me.confirm': "Yes, this wasn't me",
  'history.not_me.cancel': 'Cancel',
  'history.not_me.done_title': 'Your account is secured',
  'history.not_me.done.ended':
    'Your report is recorded. Every session of yours has ended, the one in this browser included, and every access institutions held for you is cancelled.',
  'history.not_me.done.password_closed': 'Password sign-in is closed.',
  'history.not_me.done.banking_closed': 'Sign-in with online banking is closed.',
  'history.not_me.will.drop_phone':
    'The mobile phone number verified since this sign-in is removed from your account (it may be someone else\'s: password reset codes and the SMS that confirms sign-ins would go to it). Add and verify your own number again on "My contact options".',
  'history.not_me.will.drop_email':
    'The e-mail address verified since this sign-in is removed from your account (it may be someone else\'s). Add and verify your own address again on "My contact options".',
  'history.not_me.done.phone_removed': 'The mobile phone number verified since this sign-in is removed.',
  'history.not_me.done.email_removed': 'The e-mail address verified since this sign-in is removed.',
  'history.not_me.next': 'What to do next',
  'history.not_me.next.reopen_password':
    'To open password sign-in again, sign in with e-signature or mobile signature, set a new password and open password sign-in under "Security and settings"; or get a new password at a post office or cable office (a new password opens it too).',
  'history.not_me.next.reopen_banking':
    'Change your bank password. To open sign-in with online banking again, sign in with another method and use "Access restrictions" on the "Security and settings" page.',
  'history.not_me.next.check': 'When you sign in again, check your contact details and your login history.',
  'history.not_me.sign_in': 'Sign in again',
  'history.not_me.notify.password': 'Password sign-in is closed.',
  'history.not_me.notify.banking': 'Sign-in with online banking is closed.',
  'history.notify.not_me.sms': 'Kapı: on {when} a sign-in was reported with "This wasn\'t me"; every session of yours has ended. {closed}',
  'history.notify.not_me.subject': 'Every session of yours has ended',
  'history.notify.not_me.mail':
    'On {when} a sign-in of your login history was reported with "This wasn\'t me". Every session of yours has ended and every access institutions held for you is cancelled. {closed}\n\nIf you did not report it, sign in with another method and check your login history.',
  'history.unknown_device': 'unknown device',
  'history.where.kapi': 'Kapı',
  'history.where.account': 'Kapı – My account',
  'history.method.session': 'existing session',
  'history.result.success': 'Succeeded',
  'history.result.invalid_credentials': 'Failed: wrong identity number or password',
  'history.result.invalid_code': 'Failed: wrong security code',
  'history.result.password_login_closed': 'Refused: password sign-in is closed',
  'history.result.rate_limited': 'Refused: too many attempts',
  'history.result.failed': 'Failed',
  'history.pages': 'Pages of the history',
  'history.older': 'Older sign-ins',
  'history.newest': 'Newest sign-ins',
  'history.institutions.title': 'Institutions that received data',
  'history.institutions.lead':
    'The institutions that received your information, what they received and when. If you withdraw your consent, the institution asks again at your next sign-in.',
  'history.institutions.empty': 'No information has been shared with any institution yet.',
  'history.institutions.claims': 'Information shared',
  'history.institutions.first': 'First shared',
  'history.institutions.last': 'Last shared',
  'history.institutions.times': 'Times shared',
  'history.institutions.recent': 'Latest releases',
  'history.institutions.consented': 'Information consented to',
  'history.institutions.nothing_received': 'This institution has not received any information under your consent yet.',
  'history.institutions.withdraw': 'Withdraw consent',
  'history.institutions.withdraw_explain':
    'Withdrawing cancels the access the institution holds; it must ask for your consent again to receive your information.',
  'history.institutions.not_remembered': 'No consent is remembered for this institution; it will ask at the next sign-in.',
  'history.institutions.withdrawn': 'Your consent for {institution} has been withdrawn.',
  'history.channel.id_token': 'sign-in',
  'history.channel.userinfo': 'information request',
  'history.channel.introspection': 'token check',
  'history.notify.consent_withdrawn.sms': 'Kapı: your consent to share information with {institution} was withdrawn.',
  'history.notify.consent_withdrawn.subject': 'Consent withdrawn',
  'history.notify.consent_withdrawn.mail':
    'Your consent to share information with {institution} was withdrawn. The institution will ask for your consent at your next sign-in there.',
};

registerCatalog(tr, en);

declare module '../../../../i18n/index.js' {
  interface Catalogs {
    'src/web/account/pages/history/messages': typeof tr;
  }
}

/** The person withdrew an institution's consent (`{institution}`). */
export const CONSENT_WITHDRAWN: Notification = {
  sms: 'history.notify.consent_withdrawn.sms',
  subject: 'history.notify.consent_withdrawn.subject',
  mail: 'history.notify.consent_withdrawn.mail',
};

/** The person said a sign-in was not hers (`{when}`, `{closed}`). */
export const NOT_ME: Notification = { sms: 'history.notify.not_me.sms', subject: 'history.notify.not_me.subject', mail: 'history.notify.not_me.mail' };

/** What "This wasn't me" says it will do, and did, about a contact verified since the sign-in. */
export const CONTACT_WILL_GO = { phone: 'history.not_me.will.drop_phone', email: 'history.not_me.will.drop_email' } as const satisfies Record<
  ContactKind,
  MessageKey
>;
export const CONTACT_REMOVED = { phone: 'history.not_me.done.phone_removed', email: 'history.not_me.done.email_removed' } as const satisfies Record<
  ContactKind,
  MessageKey
>;

/** How an institution received claims. */
export const CHANNEL_LABEL = {
  id_token: 'history.channel.id_token',
  userinfo: 'history.channel.userinfo',
  introspection: 'history.channel.introspection',
} as const satisfies Record<string, MessageKey>;

/** Whom "This wasn't me" tells the person to contact, or what else to check. */
export const ADVICE_MESSAGE = {
  certificate_provider: 'history.not_me.advice.certificate_provider',
  id_card: 'history.not_me.advice.id_card',
  gsm_operator: 'history.not_me.advice.gsm_operator',
  second_factors: 'history.not_me.advice.second_factors',
  earlier_sign_in: 'history.not_me.advice.earlier_sign_in',
} as const satisfies Record<NotMeAdvice, MessageKey>;
