// The person–ID check (level 3): the demo applicant, already verified by name and ID, uploads a
// photo of the ID card and a selfie; the front desk compares them side by side and approves;
// the applicant's account then shows level 3.
import { expect, test } from '@playwright/test';
import { DEMO_PASSWORD, open, pageErrors, signIn, signInStaff } from './helpers';

const JPG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0xff, 0xd9]);

test('the front desk approves a person–ID check and the applicant reaches level 3', async ({ browser }) => {
  const applicant = await browser.newPage();
  const errors = pageErrors(applicant);
  await signIn(applicant, '13800138000', DEMO_PASSWORD);
  await expect(applicant).toHaveURL(/\/my\/cases$/);
  await open(applicant, '/account');
  const identity = applicant.getByTestId('identity');
  await expect(identity.getByTestId('identity-level')).toHaveText('姓名与身份证号核验');
  for (const kind of ['id_card', 'selfie']) {
    const box = identity.getByTestId(`photo-${kind}`);
    await box.locator('input[type=file]').setInputFiles({ name: `${kind}.jpg`, mimeType: 'image/jpeg', buffer: JPG });
    await expect(box.locator('img.thumb')).toBeVisible();
  }
  await identity.getByTestId('request-person-check').click();
  await expect(identity.getByTestId('person-check-pending')).toBeVisible();

  const desk = await browser.newPage();
  await signInStaff(desk, 'front_desk', /\/desk$/);
  const check = desk.getByTestId('person-checks').getByTestId('person-check').first();
  await expect(check).toContainText('张小餐');
  await expect(check.locator('img')).toHaveCount(2);
  await check.getByLabel('核对一致，通过').check();
  await check.getByRole('button', { name: '提交核对结果' }).click();
  await expect(desk.getByTestId('person-checks')).toContainText('没有待审核的人证核对');

  await open(applicant, '/account');
  await expect(applicant.getByTestId('identity-level')).toHaveText('人证核对');
  await expect(applicant.getByTestId('person-checked')).toBeVisible();
  expect(errors).toEqual([]);
});
