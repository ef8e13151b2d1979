import { registerCatalog, type English } from '../i18n/index.js';

// What the clerk reads beyond the refusals of messages.ts: separation of duties, the Idempotency-Key,
// cancellations worded as cancellations, the document rules `check` states and refusals repeat, the
// validation of a request (never a library's own text), and the words of `kapi registrar`.

const tr = {
  'registrar.refusal.invalid_identity_number':
    'Geçersiz kimlik numarası ({field}): 11 haneli değil ya da kontrol haneleri tutmuyor. Bu bir yazım hatasıdır; numarayı belgeden yeniden okuyup yazın.',
  'registrar.refusal.staff_is_person': 'Kendi şifrenizi veremezsiniz: şifrenizi başka bir görevli vermelidir (görevler ayrılığı).',
  'registrar.refusal.staff_is_representative':
    'İşlemi yapan görevli aynı işlemde vekil veya vasi olamaz: işlemi başka bir görevli yapmalıdır (görevler ayrılığı).',
  'registrar.refusal.passport_needs_work_permit': '{passport_alone}',
  'registrar.refusal.idempotency_key_missing':
    'Şifre verme ve iptal isteklerinde Idempotency-Key başlığı gereklidir: her yeni işlem için yeni bir anahtar, aynı işlemi yeniden denerken aynı anahtar.',
  'registrar.refusal.idempotency_key_invalid': 'Idempotency-Key geçersiz: 1 ile 255 arasında görünür ASCII karakter olmalıdır.',
  'registrar.refusal.idempotency_key_reused': 'Bu Idempotency-Key başka bir istek için kullanılmış. Yeni bir işlem için yeni bir anahtar kullanın.',

  'registrar.refusal.cancel.not_in_registry': 'Bu kimlik numarası nüfus kayıtlarında bulunamadı. Şifre iptal edilemez.',
  'registrar.refusal.cancel.documents_missing': 'Kimlik türüne uygun bir kimlik belgesi gösterilmedi. Şifre iptal edilemez. Kabul edilen belgeler: {rule}',
  'registrar.refusal.cancel.document_mismatch':
    'Gösterilen belgenin numarası nüfus kayıtlarındaki geçerli belgeyle uyuşmuyor ({type}). Kayıp, çalıntı veya yenilenmiş bir belgeyle şifre iptal edilemez.',
  'registrar.refusal.cancel.proxy_not_authorised':
    'Vekaletnamede vekilin e-Devlet şifresini iptal ettirmeye yetkili olduğu açıkça yazılı olmalıdır. Şifre iptal edilemez.',
  'registrar.refusal.cancel.staff_is_person': 'Kendi şifrenizi iptal edemezsiniz: şifrenizi başka bir görevli iptal etmelidir (görevler ayrılığı).',

  'registrar.rule.citizen': 'Şunlardan biri: {list}.',
  'registrar.rule.blue_card': 'Mavi kart ile birlikte şunlardan biri: {photo}. Mavi kart yanında değilse şunlardan biri: {official}.',
  'registrar.rule.foreigner': 'Şunlardan biri: {list}; ya da çalışma izni belgesi ile pasaport birlikte. {passport_alone}',
  'registrar.rule.passport_alone': 'Yabancılar için pasaport tek başına kabul edilmez; çalışma izni belgesiyle birlikte gösterilmelidir.',

  'registrar.invalid.document_number': 'Belge numarası geçersiz ({field}): 2 ile 32 arasında harf veya rakam olmalıdır.',
  'registrar.invalid.date': 'Tarih geçersiz ({field}): YYYY-AA-GG biçiminde yazın, örneğin 2026-03-01.',
  'registrar.invalid.unknown_field': 'İstekte tanınmayan alan var: {field}. Görevliler şifre seçmez; istekte yalnızca belgelenen alanlar olabilir.',
  'registrar.invalid.missing': 'Eksik bilgi: {field}.',
  'registrar.invalid.choice': 'Geçersiz değer ({field}): şunlardan biri olmalıdır: {choices}.',
  'registrar.invalid.length': '{field} boş ya da çok uzun.',
  'registrar.invalid.number': '{field} {min} ile {max} arasında bir tam sayı olmalıdır.',
  'registrar.invalid.too_many': '{field} en fazla {max} öğe içerebilir.',
  'registrar.invalid.type': '{field} alanının değeri yanlış türde.',
  'registrar.invalid.office': 'Ofis kodu geçersiz ({field}): 3 ile 32 arasında büyük harf, rakam veya tire.',

  'registrar.replay.notice':
    'Bu istek bu anahtarla daha önce yapıldı: ilk yanıt yeniden gönderildi, işlem tekrarlanmadı ve ücret yeniden alınmadı. Tek kullanımlık şifre yalnızca ilk yanıtta gösterilir ve hiçbir yerde saklanmaz; size ulaşmadıysa yeni bir şifre verin (öncekinin yerine geçer).',

  'registrar.receipt.person_cancellation': 'Şifresi iptal edilen',
  'registrar.receipt.channel_cancellation': 'Başvuru şekli',
  'registrar.kind.issuance': 'Şifre verildi',
  'registrar.kind.cancellation': 'Şifre iptal edildi',

  'registrar.cli.option_required': '{option} gerekli: {what}.',
  'registrar.cli.what.office': 'işlemin yapıldığı ofisin kodu (örneğin PTT-ANK-KIZILAY)',
  'registrar.cli.what.staff': 'gişedeki şifre görevlisinin kimlik numarası',
  'registrar.cli.what.national_id': 'kişinin kimlik numarası',
  'registrar.cli.choice': '{option} için geçersiz değer "{value}": şunlardan biri olmalıdır: {choices}.',
  'registrar.cli.document_format': '{option} TÜR:NUMARA biçiminde yazılır, örneğin tr_identity_card:A12B34567 ("{value}" yazıldı).',
  'registrar.cli.time_zone': 'Bilinmeyen saat dilimi "{value}" (örneğin Europe/Istanbul).',
  'registrar.cli.unknown_option': 'Bilinmeyen seçenek {option}. Seçenekler için --help.',
  'registrar.cli.option_value_missing': '{option} için bir değer yazın.',
  'registrar.cli.password_once': 'Tek kullanımlık şifre (yalnızca bir kez gösterilir; kapalı zarfa yazın):',
  'registrar.cli.replayed': 'Bu istek daha önce yapılmış (kayıt no {id}): yeniden yapılmadı, ücret yeniden alınmadı.',
  'registrar.cli.replayed_no_password':
    'Tek kullanımlık şifre yalnızca ilk yanıtta gösterilir ve hiçbir yerde saklanmaz. Şifre size ulaşmadıysa yeni bir şifre verin (yeni bir işlem; öncekinin yerine geçer).',
  'registrar.cli.outcome_unknown':
    'Veritabanına ulaşılamadı; işlemin yapılıp yapılmadığı bilinmiyor. İkinci kez ücretlendirmeden sonucunu görmek için komutu --idempotency-key {key} ile yeniden çalıştırın.',
  'registrar.cli.check.national_id': 'Kimlik no',
  'registrar.cli.check.name': 'Ad soyad',
  'registrar.cli.check.identity_type': 'Kimlik türü',
  'registrar.cli.check.eligible': 'Şifre verilebilir',
  'registrar.cli.check.refusal': 'Neden',
  'registrar.cli.check.has_password': 'Şifresi var',
  'registrar.cli.check.next_fee': 'Yeni şifrenin ücreti',
  'registrar.cli.check.documents': 'Kabul edilen belgeler',
  'registrar.cli.yes': 'evet',
  'registrar.cli.no': 'hayır',
  'registrar.cli.history.at': 'Zaman ({zone})',
  'registrar.cli.history.kind': 'İşlem',
  'registrar.cli.history.national_id': 'Kimlik no',
  'registrar.cli.history.channel': 'Başvuru',
  'registrar.cli.history.fee': 'Ücret',
  'registrar.cli.history.staff': 'Görevli',
  'registrar.cli.history.via': 'Araç',
  'registrar.cli.history.empty': '(kayıt yok)',
} as const;

const en: English<typeof tr> = {
  'registrar.refusal.invalid_identity_number':
    'Invalid identity number ({field}): it is not 11 digits or its check digits do not match. This is a typing error; read the number off the document again and retype it.',
  'registrar.refusal.staff_is_person': 'You cannot issue your own password: another registrar must do it (separation of duties).',
  'registrar.refusal.staff_is_representative':
    'The registrar carrying out a request cannot be the proxy or guardian in it: another registrar must do it (separation of duties).',
  'registrar.refusal.passport_needs_work_permit': '{passport_alone}',
  'registrar.refusal.idempotency_key_missing':
    'Issuances and cancellations need an Idempotency-Key header: a new key for each new request, the same key when retrying it.',
  'registrar.refusal.idempotency_key_invalid': 'The Idempotency-Key is invalid: 1 to 255 visible ASCII characters.',
  'registrar.refusal.idempotency_key_reused': 'This Idempotency-Key was used for another request. Use a new key for a new request.',

  'registrar.refusal.cancel.not_in_registry': 'The population registry knows no one by this identity number. No password can be cancelled.',
  'registrar.refusal.cancel.documents_missing':
    'No identity document accepted for this identity type was presented. The password cannot be cancelled. Accepted documents: {rule}',
  'registrar.refusal.cancel.document_mismatch':
    'The number of the document shown does not match the current document in the population registry ({type}). A lost, stolen or replaced document cannot have a password cancelled.',
  'registrar.refusal.cancel.proxy_not_authorised':
    'The power of attorney must state explicitly that the proxy may have the e-Government password cancelled. The password cannot be cancelled.',
  'registrar.refusal.cancel.staff_is_person': 'You cannot cancel your own password: another registrar must do it (separation of duties).',

  'registrar.rule.citizen': 'One of: {list}.',
  'registrar.rule.blue_card': 'The blue card together with one of: {photo}. Without the blue card at hand, one of: {official}.',
  'registrar.rule.foreigner': 'One of: {list}; or the work permit together with a passport. {passport_alone}',
  'registrar.rule.passport_alone': 'For foreigners a passport alone is not accepted; it must be shown together with the work permit.',

  'registrar.invalid.document_number': 'Invalid document number ({field}): 2 to 32 letters or digits.',
  'registrar.invalid.date': 'Invalid date ({field}): write it as YYYY-MM-DD, e.g. 2026-03-01.',
  'registrar.invalid.unknown_field':
    'The request has a field the API does not know: {field}. Staff never choose a password; only the documented fields are accepted.',
  'registrar.invalid.missing': 'Missing: {field}.',
  'registrar.invalid.choice': 'Invalid value ({field}): must be one of {choices}.',
  'registrar.invalid.length': '{field} is empty or too long.',
  'registrar.invalid.number': '{field} must be a whole number from {min} to {max}.',
  'registrar.invalid.too_many': '{field} may hold at most {max} items.',
  'registrar.invalid.type': 'The value of {field} has the wrong type.',
  'registrar.invalid.office': 'Invalid office code ({field}): 3 to 32 capital letters, digits or dashes.',

  'registrar.replay.notice':
    'This request was already carried out with this key: its first answer is sent again; nothing was done or charged again. The one-time password is shown only in the first answer and kept nowhere; if it did not reach you, issue a new password (it replaces the earlier one).',

  'registrar.receipt.person_cancellation': 'Password cancelled for',
  'registrar.receipt.channel_cancellation': 'Requested',
  'registrar.kind.issuance': 'Password issued',
  'registrar.kind.cancellation': 'Password cancelled',

  'registrar.cli.option_required': '{option} is required: {what}.',
  'registrar.cli.what.office': 'the code of the office the counter belongs to (e.g. PTT-ANK-KIZILAY)',
  'registrar.cli.what.staff': 'the identity number of the registrar at the counter',
  'registrar.cli.what.national_id': "the person's identity number",
  'registrar.cli.choice': 'Invalid value "{value}" for {option}: must be one of {choices}.',
  'registrar.cli.document_format': '{option} is written TYPE:NUMBER, e.g. tr_identity_card:A12B34567 (got "{value}").',
  'registrar.cli.time_zone': 'Unknown time zone "{value}" (e.g. Europe/Istanbul).',
  'registrar.cli.unknown_option': 'Unknown option {option}. See --help.',
  'registrar.cli.option_value_missing': '{option} needs a value.',
  'registrar.cli.password_once': 'One-time password (shown once; write it into the sealed envelope):',
  'registrar.cli.replayed': 'This request was already carried out (record no {id}): it was not done again and nothing was charged again.',
  'registrar.cli.replayed_no_password':
    'The one-time password is shown only in the first answer and kept nowhere. If it did not reach you, issue a new password (a new request; it replaces the earlier one).',
  'registrar.cli.outcome_unknown':
    'The database could not be reached; whether the request was carried out is unknown. Run the command again with --idempotency-key {key} to see its outcome without a second charge.',
  'registrar.cli.check.national_id': 'Identity no',
  'registrar.cli.check.name': 'Name',
  'registrar.cli.check.identity_type': 'Identity type',
  'registrar.cli.check.eligible': 'Eligible',
  'registrar.cli.check.refusal': 'Reason',
  'registrar.cli.check.has_password': 'Has a password',
  'registrar.cli.check.next_fee': 'Fee of a new password',
  'registrar.cli.check.documents': 'Accepted documents',
  'registrar.cli.yes': 'yes',
  'registrar.cli.no': 'no',
  'registrar.cli.history.at': 'Time ({zone})',
  'registrar.cli.history.kind': 'Operation',
  'registrar.cli.history.national_id': 'Identity no',
  'registrar.cli.history.channel': 'Channel',
  'registrar.cli.history.fee': 'Fee',
  'registrar.cli.history.staff': 'Staff',
  'registrar.cli.history.via': 'Via',
  'registrar.cli.history.empty': '(no records)',
};

registerCatalog(tr, en);

declare module '../i18n/index.js' {
  interface Catalogs {
    'src/registrar/messages-clerk': typeof tr;
  }
}
