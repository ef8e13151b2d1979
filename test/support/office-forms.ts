// The registrar console's state-changing routes (src/web/office/routes.ts). Every one checks the console's
// own CSRF token first: test/attacks/office-console.test.ts posts to each without it, with a forged one and
// with the account pages' token; test/abuse/csrf-every-form.test.ts counts them as tested there, so a new
// console route that is not added here fails that test.
export const OFFICE_FORMS = [
  'POST /office/cancel',
  'POST /office/cancel/form',
  'POST /office/history',
  'POST /office/issue',
  'POST /office/issue/form',
  'POST /office/logout',
  'POST /office/lookup',
] as const;
