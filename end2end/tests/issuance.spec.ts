// Issuance and supervision, as the people in it live it. An entrepreneur's 开办餐饮店 is accepted
// and approved by 市场监管 and 城管; she downloads her 营业执照 and 食品经营许可证 on her phone and
// finds them attached to the mail the test SMTP server received; a checker opens the QR code's
// link and sees "valid". The street's inspector finds the food-safety commitment broken and,
// after the deadline, not put right: the licence is revoked, /verify says so, and her next
// application meets a credit warning.
import * as fs from 'fs';
import * as path from 'path';
import { expect, test } from '@playwright/test';
import { simpleParser } from 'mailparser';
import { open, pageErrors, signInStaff } from './helpers';
import { JPG, PDF, isMail, outbox, signCommitment, startRestaurantBundle, uploadAll, uploadMaterial, waitSaved } from './applicant_steps';
import { approveAs, fillRestaurant, newApplicant, openDeskCase, submit } from './office_steps';

/** The mail to `login` whose subject contains `subject`, as the SMTP server stored it. */
async function receivedMail(login: string, subject: string) {
  for (let attempt = 0; attempt < 60; attempt++) {
    const files = fs.existsSync(outbox) ? fs.readdirSync(outbox).filter(isMail) : [];
    for (const name of files) {
      const mail = await simpleParser(fs.readFileSync(path.join(outbox, name)));
      if (mail.subject?.includes(subject) && JSON.stringify(mail.to).includes(login)) return mail;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`no mail "${subject}" reached ${login}`);
}

test('an approved restaurant gets verifiable licences by download and mail; an unrectified breach revokes one and warns on the next application', async ({ browser }) => {
  test.setTimeout(240_000);
  const { page, login } = await newApplicant(browser, '吴新生');
  const errors = pageErrors(page);
  await startRestaurantBundle(page);
  await fillRestaurant(page, '吴新生');
  await uploadAll(page);
  await signCommitment(page, login, '吴新生');
  const number = await submit(page);

  const desk = await browser.newPage();
  await signInStaff(desk, 'front_desk', /\/desk$/);
  await openDeskCase(desk, number);
  await desk.getByTestId('claim').click();
  await desk.getByTestId('accept').click();
  await expect(desk.getByTestId('accepted')).toContainText('QXSL-');
  const [scjg, cgj] = await Promise.all([
    approveAs(browser, 'approver', number, '符合条件，同意。'),
    approveAs(browser, 'approver-2', number, '店招设置符合规范，同意。'),
  ]);
  await scjg.close();
  await cgj.close();

  // Her page: issued, the licences listed, each downloadable as a PDF.
  await open(page, `/my/cases/${number}`);
  await expect(page.getByTestId('case-status')).toHaveAttribute('data-status', 'issued');
  const licences = page.getByTestId('licence');
  await expect(licences).toHaveCount(3);
  const businessLicence = licences.filter({ hasText: '营业执照' });
  const foodLicence = licences.filter({ hasText: '食品经营许可证' });
  await expect(businessLicence).toHaveCount(1);
  await expect(foodLicence).toHaveCount(1);
  for (const licence of [businessLicence, foodLicence]) {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      licence.getByTestId('licence-download').click(),
    ]);
    const saved = await download.path();
    expect(fs.readFileSync(saved).subarray(0, 5).toString()).toBe('%PDF-');
  }
  const foodNumber = (await foodLicence.getAttribute('data-number')) ?? '';
  expect(foodNumber).toMatch(/^JY1320113\d{7}$/);

  // The mail reached the SMTP server with the PDFs attached and a link to her case.
  const mail = await receivedMail(login, '电子证照已签发');
  expect(mail.text).toContain(number);
  expect(mail.html || '').toContain(`/my/cases/${number}`);
  const pdfs = mail.attachments.filter((attachment) => attachment.contentType === 'application/pdf');
  expect(pdfs).toHaveLength(3);
  expect(pdfs.some((attachment) => (attachment.filename ?? '').includes(foodNumber))).toBe(true);
  expect(pdfs.every((attachment) => attachment.content.subarray(0, 5).toString() === '%PDF-')).toBe(true);

  // A checker scans the QR code: the link opens /verify, without login, and says valid.
  const verifyUrl = (await foodLicence.getByTestId('licence-verify').getAttribute('href')) ?? '';
  expect(verifyUrl).toContain('/verify?t=');
  const checkerContext = await browser.newContext();
  const checker = await checkerContext.newPage();
  const checkerErrors = pageErrors(checker);
  await open(checker, verifyUrl);
  await expect(checker.getByTestId('verify-result')).toHaveAttribute('data-status', 'valid');
  await expect(checker.getByTestId('verify-number')).toHaveText(foodNumber);
  await expect(checker.getByTestId('verify-result')).toContainText('真实有效');

  // The street's inspector finds the commitment broken, orders it put right, and after the
  // deadline finds it not done.
  const inspector = await browser.newPage();
  const inspectorErrors = pageErrors(inspector);
  await signInStaff(inspector, 'inspector', /\/inspections$/);
  const entry = inspector.getByTestId('inspection-entry').filter({ hasText: foodNumber });
  await expect(entry).toHaveCount(1);
  await entry.getByRole('link').click();
  await expect(inspector.getByTestId('inspection-task')).toHaveAttribute('data-status', 'open');
  await inspector.waitForLoadState('networkidle');
  await inspector.getByLabel('不符合承诺，责令限期整改').check();
  await inspector.getByLabel('检查情况').fill('后厨未设置防鼠、防蝇设施，与告知承诺不符');
  await inspector.getByLabel('整改期限').fill('2099-01-31');
  await inspector.getByRole('button', { name: '提交核查结论' }).click();
  await expect(inspector.getByTestId('inspection-task')).toHaveAttribute('data-status', 'rectifying');
  await inspector.waitForLoadState('networkidle');
  await inspector.getByLabel('逾期未整改（撤销证照并记入信用记录）').check();
  await inspector.getByLabel('检查情况').fill('复查时仍未设置防鼠设施，逾期未整改');
  await inspector.getByRole('button', { name: '提交核查结论' }).click();
  await expect(inspector.getByTestId('inspection-task')).toHaveAttribute('data-status', 'revoked');

  // The same QR link now says revoked, with when and why.
  await open(checker, verifyUrl);
  await expect(checker.getByTestId('verify-result')).toHaveAttribute('data-status', 'revoked');
  await expect(checker.getByTestId('verify-revoked-reason')).toContainText('逾期未整改');
  await open(page, `/my/cases/${number}`);
  await expect(foodLicence).toHaveAttribute('data-revoked', 'true');

  // Her next application: the broken commitment is on record, so no instant approval.
  await open(page, '/catalogue/items/SCJG-XK-001');
  await page.getByTestId('start-application').click();
  await expect(page).toHaveURL(/\/apply\/[0-9a-f]+$/);
  await page.waitForLoadState('networkidle');
  await page.locator('#f-phone').fill('13912345678');
  await page.locator('#f-shop_name').fill('吴记小吃');
  await page.locator('#f-business_address').fill('南京市栖霞区仙林大道 10 号');
  await page.locator('#f-organisation_form').selectOption('individual');
  await page.locator('#f-business_scope').fill('小吃服务');
  await page.locator('#f-employee_count').fill('2');
  await page.locator('#f-capital_contribution').fill('3');
  await waitSaved(page);
  await uploadMaterial(page, 'M01', '身份证.jpg', JPG, 'image/jpeg');
  await uploadMaterial(page, 'M02', '租赁合同.pdf', PDF, 'application/pdf');
  await uploadMaterial(page, 'M03', '照片.jpg', JPG, 'image/jpeg');
  await submit(page);
  await expect(page.getByTestId('case-status')).toHaveAttribute('data-status', 'submitted');
  await expect(page.getByTestId('case-page')).toContainText('信用');

  expect(errors).toEqual([]);
  expect(checkerErrors).toEqual([]);
  expect(inspectorErrors).toEqual([]);
  await checkerContext.close();
});
