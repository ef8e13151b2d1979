import { registerCatalog, type English } from '../../i18n/index.js';
import '../../registrar/messages.js';
import '../../registrar/messages-clerk.js';

// The words of the registrar console at /office. Refusals, document names, channels and receipts are
// the registrar service's own (registrar.*), the same the API and `kapi registrar` use.

const tr = {
  'office.title': 'Şifre gişesi',
  'office.nav.label': 'Şifre gişesi',
  'office.nav.lookup': 'Kişi sorgula',
  'office.nav.history': 'Ofis kayıtları',
  'office.sign_out': 'Çıkış yap',
  'office.clerk': '{name} · {office}',

  'office.gate.title': 'Şifre gişesine giriş',
  'office.gate.level': 'Şifre gişesi yalnızca "yüksek" güvence düzeyinde (e-imza, mobil imza veya kimlik kartı) giriş yapmış şifre görevlilerine açıktır.',
  'office.gate.stale':
    'Şifre vermek ve iptal etmek için son 15 dakika içinde "yüksek" düzeyde giriş yapmış olmanız gerekir. Yeniden giriş yapın; hiçbir işlem yapılmadı.',
  'office.gate.not_registrar': 'Bu hesabın şifre görevlisi yetkisi yok. Yetki, ofisinizin yöneticisi tarafından verilir.',
  'office.gate.office_inactive': 'Ofisiniz şifre işlemlerine kapalı.',
  'office.gate.signed_out': 'Oturumunuz sona erdi; hiçbir işlem yapılmadı. Lütfen yeniden giriş yapın.',
  'office.gate.sign_in': 'Yüksek düzeyde yeniden giriş yap',
  'office.signed_out.title': 'Oturum kapalı',
  'office.signed_out.body': 'Şifre gişesinden çıkış yaptınız.',
  'office.login_not_started': 'Bu giriş bu tarayıcıda başlatılmamış ya da süresi dolmuş. Lütfen yeniden deneyin.',
  'office.login_failed': 'Giriş tamamlanamadı. Lütfen yeniden deneyin.',

  'office.error.title': 'İşlem yapılamadı',
  'office.error.field': 'Lütfen aşağıdaki hatayı düzeltin',
  'office.error.form_used': 'Bu form daha önce başka bilgilerle gönderildi. Kişiyi yeniden sorgulayıp yeni bir formla başlayın.',

  'office.lookup.title': 'Kişi sorgula',
  'office.lookup.lead': 'Kimlik numarasını belgeden okuyup yazın. Numara önce kontrol haneleriyle denetlenir, sonra nüfus kayıtlarında aranır.',
  'office.lookup.national_id': 'T.C. kimlik numarası veya yabancı kimlik numarası',
  'office.lookup.hint': '11 hane',
  'office.lookup.submit': 'Sorgula',

  'office.person.title': 'Kişi bilgileri',
  'office.person.name': 'Ad soyad',
  'office.person.national_id': 'Kimlik numarası',
  'office.person.identity': 'Kimlik türü',
  'office.person.eligible': 'Şifre alabilir mi',
  'office.person.yes': 'Evet',
  'office.person.no': 'Hayır',
  'office.person.has_password': 'Şifresi var mı',
  'office.person.fee': 'Şifre ücreti',
  'office.person.checklist': 'Gösterilmesi gereken belgeler',
  'office.person.accepted': 'Bu kimlik türü için kabul edilen belgeler',
  'office.person.representative':
    'Vekil vekaletname ile, vasi mahkeme kararıyla gelir; ikisi de kendi geçerli kimlik belgesini gösterir. Vekaletnamede şifreyi teslim almaya (ya da iptal ettirmeye) yetki açıkça yazılı olmalıdır.',
  'office.person.issue': 'Şifre ver',
  'office.person.cancel': 'Şifreyi iptal et',

  'office.form.channel': 'Başvuru şekli',
  'office.form.documents': 'Kişinin belgeleri',
  'office.form.documents_hint': 'Şahsen başvuruda en az bir belge gerekir. Vekil veya vasi geldiğinde kişinin belgeleri isteğe bağlıdır.',
  'office.form.document_type': 'Belge {n}: türü',
  'office.form.document_number': 'Belge {n}: numarası',
  'office.form.choose': 'Seçin',
  'office.form.representative': 'Vekil veya vasi',
  'office.form.representative_hint': 'Yalnızca vekil veya vasi geldiğinde doldurun.',
  'office.form.rep_national_id': 'Vekilin veya vasinin kimlik numarası',
  'office.form.rep_document_type': 'Vekilin veya vasinin kimlik belgesi',
  'office.form.rep_document_number': 'Belge numarası',
  'office.form.authority_number': 'Vekaletname yevmiye numarası veya mahkeme karar numarası',
  'office.form.authority_date': 'Vekaletname veya karar tarihi',
  'office.form.authority_date_hint': 'YYYY-AA-GG, örneğin 2026-01-02',
  'office.form.authority_issuer': 'Noterlik veya mahkeme',
  'office.form.authorises': 'Vekaletnamede vekilin şifreyi teslim almaya yetkili olduğu açıkça yazılıdır',
  'office.form.authorises_cancel': 'Vekaletnamede vekilin şifreyi iptal ettirmeye yetkili olduğu açıkça yazılıdır',
  'office.form.remove_factors': 'Kişi istiyor: e-Devlet Anahtarı, kayıtlı cihazlar ve telefonla onay kaldırılsın (yalnızca şahsen veya vasi ile)',

  'office.issue.title': 'Şifre ver',
  'office.issue.lead': '{name} için yeni bir tek kullanımlık şifre verilecek. Ücret: {fee}.',
  'office.issue.submit': 'Şifreyi ver',
  'office.issued.title': 'Şifre verildi',
  'office.issued.password': 'Tek kullanımlık şifre',
  'office.issued.password_note': 'Yalnızca şimdi gösterilir ve hiçbir yerde saklanmaz. Kapalı zarfa yazıp kişiye verin; ilk girişte değiştirilmesi gerekir.',
  'office.issued.account_created': 'Kişi için yeni bir hesap açıldı.',
  'office.issued.reopened': 'Kişinin şifreyle girişi yeniden açıldı.',
  'office.issued.factors_removed': 'Kişinin istediği ikinci adımlar kaldırıldı.',
  'office.issued.fee': 'Alınacak ücret: {fee}.',
  'office.replayed':
    'Bu form daha önce gönderilmiş: işlem yeniden yapılmadı ve ücret yeniden alınmadı. Tek kullanımlık şifre yalnızca ilk yanıtta gösterilir; kişiye ulaşmadıysa yeni bir şifre verin.',
  'office.receipt_link': 'Alındıyı yazdır',
  'office.again': 'Başka bir kişi sorgula',

  'office.cancel.title': 'Şifreyi iptal et',
  'office.cancel.lead': '{name} kişisinin şifresi iptal edilecek: hemen geçersiz olur ve kişinin bütün oturumları kapanır. İptal ücretsizdir.',
  'office.cancel.submit': 'Şifreyi iptal et',
  'office.cancelled.title': 'Şifre iptal edildi',
  'office.cancelled.body': '{name} kişisinin şifresi iptal edildi. Kapatılan oturum sayısı: {count}.',

  'office.receipt.title': 'Alındı',
  'office.receipt.print': 'Yazdırmak için tarayıcınızın Yazdır komutunu kullanın (Ctrl+P). Alındıda şifre yer almaz.',

  'office.history.title': 'Ofis kayıtları',
  'office.history.lead': '{office} ofisinde verilen ve iptal edilen şifreler, en yenisi önce. Saatler Türkiye saatiyle (Europe/Istanbul).',
  'office.history.filter': 'Bir kişinin kayıtları',
  'office.history.filter_submit': 'Göster',
  'office.history.all': 'Bütün kayıtlar',
  'office.history.caption': 'Ofis kayıtları',
  'office.history.time': 'Zaman (Türkiye saati)',
  'office.history.operation': 'İşlem',
  'office.history.person': 'Kişi',
  'office.history.channel': 'Başvuru şekli',
  'office.history.staff': 'Görevli',
  'office.history.fee': 'Ücret',
  'office.history.receipt': 'Alındı',
  'office.history.receipt_of': 'Alındı: {operation}, {time}',
  'office.history.none': 'Kayıt yok.',
} as const;

const en: English<typeof tr> = {
  'office.title': 'Password counter',
  'office.nav.label': 'Password counter',
  'office.nav.lookup': 'Look up a person',
  'office.nav.history': 'Office records',
  'office.sign_out': 'Sign out',
  'office.clerk': '{name} · {office}',

  'office.gate.title': 'Signing in to the password counter',
  'office.gate.level': 'The password counter is open only to registrar staff signed in at level "high" (e-signature, mobile signature or ID card).',
  'office.gate.stale': 'Issuing and cancelling passwords needs a sign-in at level "high" within the last 15 minutes. Sign in again; nothing was done.',
  'office.gate.not_registrar': "This account does not hold the registrar role. The role is granted by your office's administrator.",
  'office.gate.office_inactive': 'Your office is closed for password services.',
  'office.gate.signed_out': 'Your session has ended; nothing was done. Please sign in again.',
  'office.gate.sign_in': 'Sign in again at level high',
  'office.signed_out.title': 'Signed out',
  'office.signed_out.body': 'You have signed out of the password counter.',
  'office.login_not_started': 'This sign-in was not started in this browser, or it expired. Please try again.',
  'office.login_failed': 'The sign-in did not complete. Please try again.',

  'office.error.title': 'This could not be done',
  'office.error.field': 'Please correct the error below',
  'office.error.form_used': 'This form was already sent with other details. Look the person up again and start with a new form.',

  'office.lookup.title': 'Look up a person',
  'office.lookup.lead': 'Type the identity number from the document. Its check digits are checked first, then the population registry is asked.',
  'office.lookup.national_id': 'T.C. identity number or foreign identification number',
  'office.lookup.hint': '11 digits',
  'office.lookup.submit': 'Look up',

  'office.person.title': 'The person',
  'office.person.name': 'Name',
  'office.person.national_id': 'Identity number',
  'office.person.identity': 'Identity type',
  'office.person.eligible': 'May receive a password',
  'office.person.yes': 'Yes',
  'office.person.no': 'No',
  'office.person.has_password': 'Has a password',
  'office.person.fee': 'Password fee',
  'office.person.checklist': 'Documents to be shown',
  'office.person.accepted': 'Documents accepted for this identity type',
  'office.person.representative':
    'A proxy comes with a power of attorney, a guardian with a court decision; each shows their own valid identity document. The power of attorney must say in so many words that the proxy may receive (or cancel) the password.',
  'office.person.issue': 'Issue a password',
  'office.person.cancel': 'Cancel the password',

  'office.form.channel': 'Who is at the counter',
  'office.form.documents': "The person's documents",
  'office.form.documents_hint': "In person, at least one document is needed. When a proxy or guardian comes, the person's documents are optional.",
  'office.form.document_type': 'Document {n}: type',
  'office.form.document_number': 'Document {n}: number',
  'office.form.choose': 'Choose',
  'office.form.representative': 'Proxy or guardian',
  'office.form.representative_hint': 'Fill in only when a proxy or guardian comes.',
  'office.form.rep_national_id': "The proxy's or guardian's identity number",
  'office.form.rep_document_type': "The proxy's or guardian's identity document",
  'office.form.rep_document_number': 'Document number',
  'office.form.authority_number': "Notary's journal number or court decision number",
  'office.form.authority_date': 'Date of the power of attorney or decision',
  'office.form.authority_date_hint': 'YYYY-MM-DD, for example 2026-01-02',
  'office.form.authority_issuer': 'Notary or court',
  'office.form.authorises': 'The power of attorney says in so many words that the proxy may receive the password',
  'office.form.authorises_cancel': 'The power of attorney says in so many words that the proxy may have the password cancelled',
  'office.form.remove_factors':
    'The person asks that her e-Government Key, registered devices and phone confirmation be removed (in person or by a guardian only)',

  'office.issue.title': 'Issue a password',
  'office.issue.lead': 'A new one-time password will be issued for {name}. Fee: {fee}.',
  'office.issue.submit': 'Issue the password',
  'office.issued.title': 'Password issued',
  'office.issued.password': 'One-time password',
  'office.issued.password_note':
    'Shown only now and stored nowhere. Write it in the sealed envelope and hand it over; it must be changed at the first sign-in.',
  'office.issued.account_created': 'A new account was opened for the person.',
  'office.issued.reopened': "The person's password login was opened again.",
  'office.issued.factors_removed': 'The second factors were removed, as the person asked.',
  'office.issued.fee': 'Fee to collect: {fee}.',
  'office.replayed':
    'This form had been sent before: nothing was done again and no fee was charged again. The one-time password is shown only in the first answer; if it did not reach the person, issue a new password.',
  'office.receipt_link': 'Print the receipt',
  'office.again': 'Look up another person',

  'office.cancel.title': 'Cancel the password',
  'office.cancel.lead': "{name}'s password will be cancelled: it stops working at once and every session of the person ends. Cancelling is free.",
  'office.cancel.submit': 'Cancel the password',
  'office.cancelled.title': 'Password cancelled',
  'office.cancelled.body': "{name}'s password was cancelled. Sessions ended: {count}.",

  'office.receipt.title': 'Receipt',
  'office.receipt.print': "Use your browser's Print command (Ctrl+P) to print it. The receipt never shows the password.",

  'office.history.title': 'Office records',
  'office.history.lead': 'Passwords issued and cancelled at {office}, newest first. Times are Türkiye time (Europe/Istanbul).',
  'office.history.filter': "One person's records",
  'office.history.filter_submit': 'Show',
  'office.history.all': 'All records',
  'office.history.caption': 'Office records',
  'office.history.time': 'Time (Türkiye)',
  'office.history.operation': 'Operation',
  'office.history.person': 'Person',
  'office.history.channel': 'Who came',
  'office.history.staff': 'Staff',
  'office.history.fee': 'Fee',
  'office.history.receipt': 'Receipt',
  'office.history.receipt_of': 'Receipt: {operation}, {time}',
  'office.history.none': 'No records.',
};

registerCatalog(tr, en);

declare module '../../i18n/index.js' {
  interface Catalogs {
    'src/web/office/messages': typeof tr;
  }
}
