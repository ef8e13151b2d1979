import { registerCatalog, type English, type MessageKey } from '../i18n/index.js';
import type { DocumentType } from './documents.js';
import type { RefusalCode } from './refusal.js';
import type { CounterRecord } from './repository.js';
import type { Channel, IdentityType } from './types.js';

type Authority = NonNullable<CounterRecord['representative']>['authorityType'];

// What staff read: refusals (the API's `message`, the CLI's error line), document and channel names,
// and the receipt. Turkish first; English for staff at consulates and for integrators.

const tr = {
  'registrar.refusal.invalid_request': 'İstek eksik veya hatalı: {field}',
  'registrar.refusal.document_unknown': 'Bu belge türü tanınmıyor: {type}. Kabul edilen belgeler için belge listesine bakın.',
  'registrar.refusal.not_in_registry': 'Bu kimlik numarası nüfus kayıtlarında bulunamadı. Şifre verilemez.',
  'registrar.refusal.deceased': 'Nüfus kaydına göre bu kişi vefat etmiştir. Şifre verilemez.',
  'registrar.refusal.under_15': 'Şifre yalnızca 15 yaşını doldurmuş T.C. vatandaşlarına verilir (kişinin yaşı: {age}).',
  'registrar.refusal.documents_missing': 'Kimlik türüne uygun bir kimlik belgesi gösterilmedi. Şifre verilemez. Kabul edilen belgeler: {rule}',
  'registrar.refusal.document_not_accepted': 'Bu belge ({type}) bu kimlik türü ({identity}) için kabul edilmez. Kabul edilen belgeler: {rule}',
  'registrar.refusal.document_duplicate': 'Aynı belge türü birden fazla yazılmış: {type}.',
  'registrar.refusal.blue_card_needs_photo_id':
    'Mavi kart sahipleri kartla birlikte uyruğundaki devletin verdiği fotoğraflı bir kimlik kartı, pasaport veya sürücü belgesi göstermelidir.',
  'registrar.refusal.work_permit_needs_passport': 'Çalışma izni belgesi ancak pasaportla birlikte kabul edilir.',
  'registrar.refusal.document_mismatch':
    'Gösterilen belgenin numarası nüfus kayıtlarındaki geçerli belgeyle uyuşmuyor ({type}). Kayıp, çalıntı veya yenilenmiş bir belgeyle şifre verilemez.',
  'registrar.refusal.representative_document_mismatch': 'Vekilin/vasinin gösterdiği belgenin numarası nüfus kayıtlarıyla uyuşmuyor ({type}).',
  'registrar.refusal.representative_missing':
    'Vekil veya vasi ile yapılan işlemde vekilin/vasinin kimliği, kimlik belgesi ve vekaletname/mahkeme kararı gereklidir.',
  'registrar.refusal.representative_unexpected': 'Şahsen yapılan işlemde vekil veya vasi bilgisi yazılmaz.',
  'registrar.refusal.representative_is_person': 'Kişi kendi vekili veya vasisi olamaz.',
  'registrar.refusal.representative_not_in_registry': 'Vekilin/vasinin kimlik numarası nüfus kayıtlarında bulunamadı.',
  'registrar.refusal.representative_deceased': 'Nüfus kaydına göre vekil/vasi vefat etmiştir.',
  'registrar.refusal.representative_minor': 'Vekil veya vasi 18 yaşını doldurmuş olmalıdır.',
  'registrar.refusal.representative_document_not_accepted': 'Vekilin/vasinin gösterdiği belge ({type}) kimlik belgesi olarak kabul edilmez.',
  'registrar.refusal.proxy_not_authorised': 'Vekaletnamede vekilin şifre teslim almaya yetkili olduğu açıkça yazılı olmalıdır. Şifre verilemez.',
  'registrar.refusal.authority_date_invalid': 'Vekaletname veya mahkeme kararının tarihi geçersiz.',
  'registrar.refusal.second_factors_by_proxy': 'İkinci aşama yöntemleri yalnızca kişinin kendisi veya vasisi başvurduğunda kaldırılır; vekil ile kaldırılamaz.',
  'registrar.refusal.no_password': 'Bu kişinin iptal edilecek bir şifresi yok.',
  'registrar.refusal.office_unknown': 'Bu ofis kayıtlı değil.',
  'registrar.refusal.office_inactive': 'Bu ofis şifre işlemlerine kapalı.',
  'registrar.refusal.not_registrar': 'Bu işlem için ofisin şifre görevlisi olmanız gerekir.',
  'registrar.refusal.record_unknown': 'Bu ofisin kayıtlarında böyle bir işlem yok.',
  'registrar.refusal.too_many_requests': 'Çok fazla sorgu yapıldı. {retryAfter} saniye sonra yeniden deneyin.',
  'registrar.token.missing': 'Bir erişim belirteci (Bearer) gerekli.',
  'registrar.token.invalid': 'Erişim belirteci geçersiz veya süresi dolmuş.',
  'registrar.token.acr': 'Bu işlem için e-imza, mobil imza veya kimlik kartıyla (yüksek güvence düzeyi) giriş yapmış olmanız gerekir.',
  'registrar.token.client': 'Bu belirteç şifre görevlisi uygulaması için verilmemiş.',
  'registrar.token.scope': 'Erişim belirtecinde gerekli yetki (registrar) yok.',
  'registrar.not_found': 'Bulunamadı.',
  'registrar.internal': 'Beklenmeyen bir hata oluştu. Referans: {reference}',
  'registrar.unavailable': 'Hizmet şu anda kullanılamıyor. Lütfen biraz sonra yeniden deneyin.',

  'registrar.identity.citizen': 'T.C. vatandaşı',
  'registrar.identity.blue_card': 'Mavi kart sahibi',
  'registrar.identity.foreigner': 'Yabancı',
  'registrar.channel.self': 'Şahsen',
  'registrar.channel.proxy': 'Vekil (vekaletname ile)',
  'registrar.channel.guardian': 'Vasi (mahkeme kararı ile)',
  'registrar.document.identity_card': 'Nüfus cüzdanı',
  'registrar.document.tr_identity_card': 'T.C. Kimlik Kartı',
  'registrar.document.temporary_identity_document': 'Nüfus müdürlüğünce verilen geçici kimlik belgesi',
  'registrar.document.passport': 'Pasaport',
  'registrar.document.qualifying_certificate': 'Yeterlik belgesi',
  'registrar.document.blue_card': 'Mavi kart',
  'registrar.document.nationality_identity_card': 'Uyruğundaki devletin kimlik kartı',
  'registrar.document.nationality_passport': 'Uyruğundaki devletin pasaportu',
  'registrar.document.nationality_driving_licence': 'Uyruğundaki devletin sürücü belgesi',
  'registrar.document.nationality_official_id': 'Uyruğundaki devletin resmi kimlik belgesi',
  'registrar.document.residence_permit': 'İkamet izni belgesi',
  'registrar.document.temporary_protection_id': 'Geçici koruma kimlik belgesi',
  'registrar.document.international_protection_id': 'Uluslararası koruma başvuru sahibi / statü sahibi kimlik belgesi',
  'registrar.document.stateless_person_id': 'Vatansız kişi kimlik belgesi',
  'registrar.document.work_permit': 'Çalışma izni belgesi',
  'registrar.document.power_of_attorney': 'Vekaletname',
  'registrar.document.court_decision': 'Vasi atama mahkeme kararı',

  'registrar.receipt.issue_title': 'KAPI — e-Devlet şifresi teslim makbuzu',
  'registrar.receipt.cancel_title': 'KAPI — e-Devlet şifresi iptal makbuzu',
  'registrar.receipt.number': 'Makbuz no',
  'registrar.receipt.office': 'Ofis',
  'registrar.receipt.staff': 'Görevli',
  'registrar.receipt.time': 'Tarih',
  'registrar.receipt.person': 'Şifre sahibi',
  'registrar.receipt.national_id': 'Kimlik no',
  'registrar.receipt.channel': 'Teslim şekli',
  'registrar.receipt.documents': 'Gösterilen belgeler',
  'registrar.receipt.representative': 'Vekil / vasi',
  'registrar.receipt.authority': 'Yetki belgesi',
  'registrar.receipt.fee': 'Ücret',
  'registrar.receipt.issue_note':
    'Şifre kapalı zarf içinde teslim edilmiştir. İlk girişte yeni bir şifre belirlemeniz istenecektir. Şifrenizi kimseyle paylaşmayın.',
  'registrar.receipt.cancel_note':
    'Şifre iptal edilmiştir; kişinin bütün oturumları (hangi yöntemle açılmış olursa olsun) sonlandırılmıştır. Yeni şifreyi PTT şubelerinden, Türksat Kablo ofislerinden veya e-imza, mobil imza, kimlik kartı ya da internet bankacılığıyla giriş yaparak alabilirsiniz.',
} as const;

const en: English<typeof tr> = {
  'registrar.refusal.invalid_request': 'The request is incomplete or malformed: {field}',
  'registrar.refusal.document_unknown': 'This document type is not known: {type}. See the list of accepted documents.',
  'registrar.refusal.not_in_registry': 'The population registry knows no one by this identity number. No password can be issued.',
  'registrar.refusal.deceased': 'According to the population registry this person has died. No password can be issued.',
  'registrar.refusal.under_15': 'Passwords are issued only to citizens aged 15 or more (the person is {age}).',
  'registrar.refusal.documents_missing':
    'No identity document accepted for this identity type was presented. No password can be issued. Accepted documents: {rule}',
  'registrar.refusal.document_not_accepted': 'This document ({type}) is not accepted for this identity type ({identity}). Accepted documents: {rule}',
  'registrar.refusal.document_duplicate': 'The same document type was entered twice: {type}.',
  'registrar.refusal.blue_card_needs_photo_id':
    'Blue card holders must show, with the card, a photo identity card, passport or driving licence issued by their state of nationality.',
  'registrar.refusal.work_permit_needs_passport': 'A work permit is accepted only together with a passport.',
  'registrar.refusal.document_mismatch':
    'The number of the document shown does not match the current document in the population registry ({type}). A lost, stolen or replaced document gets no password.',
  'registrar.refusal.representative_document_mismatch': "The number of the proxy's or guardian's document does not match the population registry ({type}).",
  'registrar.refusal.representative_missing':
    'A proxy or guardian must give their identity number, identity document and the power of attorney or court decision.',
  'registrar.refusal.representative_unexpected': 'A request in person carries no proxy or guardian.',
  'registrar.refusal.representative_is_person': 'A person cannot be their own proxy or guardian.',
  'registrar.refusal.representative_not_in_registry': "The population registry knows no one by the proxy's or guardian's identity number.",
  'registrar.refusal.representative_deceased': 'According to the population registry the proxy or guardian has died.',
  'registrar.refusal.representative_minor': 'A proxy or guardian must be 18 or older.',
  'registrar.refusal.representative_document_not_accepted': 'The document shown by the proxy or guardian ({type}) is not accepted as an identity document.',
  'registrar.refusal.proxy_not_authorised': 'The power of attorney must state explicitly that the proxy may receive the password. No password can be issued.',
  'registrar.refusal.authority_date_invalid': 'The date of the power of attorney or court decision is not valid.',
  'registrar.refusal.second_factors_by_proxy': 'Second factors are removed only when the person or her guardian asks, never through a proxy.',
  'registrar.refusal.no_password': 'This person has no password to cancel.',
  'registrar.refusal.office_unknown': 'This office is not registered.',
  'registrar.refusal.office_inactive': 'This office is closed for password services.',
  'registrar.refusal.not_registrar': "Only the office's registrar staff may do this.",
  'registrar.refusal.record_unknown': "There is no such record in this office's books.",
  'registrar.refusal.too_many_requests': 'Too many lookups. Try again in {retryAfter} seconds.',
  'registrar.token.missing': 'A Bearer access token is required.',
  'registrar.token.invalid': 'The access token is invalid or has expired.',
  'registrar.token.acr': 'This needs a sign-in with e-signature, mobile signature or the ID card (assurance level high).',
  'registrar.token.client': 'This token was not issued to the registrar console.',
  'registrar.token.scope': 'The access token lacks the registrar scope.',
  'registrar.not_found': 'Not found.',
  'registrar.internal': 'Something unexpected went wrong. Reference: {reference}',
  'registrar.unavailable': 'The service is not available right now. Please try again shortly.',

  'registrar.identity.citizen': 'Citizen of Türkiye',
  'registrar.identity.blue_card': 'Blue card holder',
  'registrar.identity.foreigner': 'Foreigner',
  'registrar.channel.self': 'In person',
  'registrar.channel.proxy': 'Proxy (power of attorney)',
  'registrar.channel.guardian': 'Guardian (court decision)',
  'registrar.document.identity_card': 'Identity card',
  'registrar.document.tr_identity_card': 'Republic of Türkiye identity card (new)',
  'registrar.document.temporary_identity_document': 'Temporary identity document issued by the registry office',
  'registrar.document.passport': 'Passport',
  'registrar.document.qualifying_certificate': 'Qualifying certificate',
  'registrar.document.blue_card': 'Blue card',
  'registrar.document.nationality_identity_card': 'Identity card of the state of nationality',
  'registrar.document.nationality_passport': 'Passport of the state of nationality',
  'registrar.document.nationality_driving_licence': 'Driving licence of the state of nationality',
  'registrar.document.nationality_official_id': 'Official identity document of the state of nationality',
  'registrar.document.residence_permit': 'Residence permit',
  'registrar.document.temporary_protection_id': 'Temporary protection identity document',
  'registrar.document.international_protection_id': 'International protection applicant / status holder identity document',
  'registrar.document.stateless_person_id': 'Stateless person identity document',
  'registrar.document.work_permit': 'Work permit',
  'registrar.document.power_of_attorney': 'Power of attorney',
  'registrar.document.court_decision': 'Court decision appointing a guardian',

  'registrar.receipt.issue_title': 'KAPI — e-Government password issuance receipt',
  'registrar.receipt.cancel_title': 'KAPI — e-Government password cancellation receipt',
  'registrar.receipt.number': 'Receipt no',
  'registrar.receipt.office': 'Office',
  'registrar.receipt.staff': 'Staff',
  'registrar.receipt.time': 'Date',
  'registrar.receipt.person': 'Password holder',
  'registrar.receipt.national_id': 'Identity no',
  'registrar.receipt.channel': 'Handed over',
  'registrar.receipt.documents': 'Documents shown',
  'registrar.receipt.representative': 'Proxy / guardian',
  'registrar.receipt.authority': 'Authority',
  'registrar.receipt.fee': 'Fee',
  'registrar.receipt.issue_note':
    'The password was handed over in a sealed envelope. You will be asked to set a new password at your first sign-in. Never share your password.',
  'registrar.receipt.cancel_note':
    'The password is cancelled; every session of the person has ended, whatever method started it. A new password can be had at PTT branches, Türksat Kablo offices, or after signing in with e-signature, mobile signature, the ID card or online banking.',
};

registerCatalog(tr, en);

declare module '../i18n/index.js' {
  interface Catalogs {
    'src/registrar/messages': typeof tr;
  }
}

/** The name of each document: the identity documents and the proxy's or guardian's authority. */
export const DOCUMENT_NAME = {
  identity_card: 'registrar.document.identity_card',
  tr_identity_card: 'registrar.document.tr_identity_card',
  temporary_identity_document: 'registrar.document.temporary_identity_document',
  passport: 'registrar.document.passport',
  qualifying_certificate: 'registrar.document.qualifying_certificate',
  blue_card: 'registrar.document.blue_card',
  nationality_identity_card: 'registrar.document.nationality_identity_card',
  nationality_passport: 'registrar.document.nationality_passport',
  nationality_driving_licence: 'registrar.document.nationality_driving_licence',
  nationality_official_id: 'registrar.document.nationality_official_id',
  residence_permit: 'registrar.document.residence_permit',
  temporary_protection_id: 'registrar.document.temporary_protection_id',
  international_protection_id: 'registrar.document.international_protection_id',
  stateless_person_id: 'registrar.document.stateless_person_id',
  work_permit: 'registrar.document.work_permit',
  power_of_attorney: 'registrar.document.power_of_attorney',
  court_decision: 'registrar.document.court_decision',
} as const satisfies Record<DocumentType | Authority, MessageKey>;

/** The name of each identity type. */
export const IDENTITY_NAME = {
  citizen: 'registrar.identity.citizen',
  blue_card: 'registrar.identity.blue_card',
  foreigner: 'registrar.identity.foreigner',
} as const satisfies Record<IdentityType, MessageKey>;

/** How the password was handed over (or whose request cancelled it). */
export const CHANNEL_NAME = {
  self: 'registrar.channel.self',
  proxy: 'registrar.channel.proxy',
  guardian: 'registrar.channel.guardian',
} as const satisfies Record<Channel, MessageKey>;

/** What was done at the counter. */
export const KIND_NAME = {
  issuance: 'registrar.kind.issuance',
  cancellation: 'registrar.kind.cancellation',
} as const satisfies Record<CounterRecord['kind'], MessageKey>;

/** What staff read for each refusal. */
export const REFUSAL_MESSAGE = {
  invalid_request: 'registrar.refusal.invalid_request',
  invalid_identity_number: 'registrar.refusal.invalid_identity_number',
  document_unknown: 'registrar.refusal.document_unknown',
  idempotency_key_missing: 'registrar.refusal.idempotency_key_missing',
  idempotency_key_invalid: 'registrar.refusal.idempotency_key_invalid',
  idempotency_key_reused: 'registrar.refusal.idempotency_key_reused',
  not_in_registry: 'registrar.refusal.not_in_registry',
  deceased: 'registrar.refusal.deceased',
  under_15: 'registrar.refusal.under_15',
  documents_missing: 'registrar.refusal.documents_missing',
  document_not_accepted: 'registrar.refusal.document_not_accepted',
  document_duplicate: 'registrar.refusal.document_duplicate',
  blue_card_needs_photo_id: 'registrar.refusal.blue_card_needs_photo_id',
  work_permit_needs_passport: 'registrar.refusal.work_permit_needs_passport',
  passport_needs_work_permit: 'registrar.refusal.passport_needs_work_permit',
  document_mismatch: 'registrar.refusal.document_mismatch',
  representative_missing: 'registrar.refusal.representative_missing',
  representative_unexpected: 'registrar.refusal.representative_unexpected',
  representative_is_person: 'registrar.refusal.representative_is_person',
  representative_not_in_registry: 'registrar.refusal.representative_not_in_registry',
  representative_deceased: 'registrar.refusal.representative_deceased',
  representative_minor: 'registrar.refusal.representative_minor',
  representative_document_not_accepted: 'registrar.refusal.representative_document_not_accepted',
  representative_document_mismatch: 'registrar.refusal.representative_document_mismatch',
  proxy_not_authorised: 'registrar.refusal.proxy_not_authorised',
  authority_date_invalid: 'registrar.refusal.authority_date_invalid',
  second_factors_by_proxy: 'registrar.refusal.second_factors_by_proxy',
  no_password: 'registrar.refusal.no_password',
  record_unknown: 'registrar.refusal.record_unknown',
  staff_is_person: 'registrar.refusal.staff_is_person',
  staff_is_representative: 'registrar.refusal.staff_is_representative',
  office_unknown: 'registrar.refusal.office_unknown',
  office_inactive: 'registrar.refusal.office_inactive',
  not_registrar: 'registrar.refusal.not_registrar',
  too_many_requests: 'registrar.refusal.too_many_requests',
} as const satisfies Record<RefusalCode, MessageKey>;

/** The refusals a cancellation words as a cancellation (not "no password can be issued"). */
export const CANCEL_REFUSAL_MESSAGE: Partial<Record<RefusalCode, MessageKey>> = {
  not_in_registry: 'registrar.refusal.cancel.not_in_registry',
  documents_missing: 'registrar.refusal.cancel.documents_missing',
  document_mismatch: 'registrar.refusal.cancel.document_mismatch',
  proxy_not_authorised: 'registrar.refusal.cancel.proxy_not_authorised',
  staff_is_person: 'registrar.refusal.cancel.staff_is_person',
};
