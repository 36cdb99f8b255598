// The back office, as the people in it live it. (1) An entrepreneur files 开办餐饮店; the front
// desk returns it with a two-entry one-time notice; she changes exactly those two things; the
// desk accepts; 市场监管 and 城管 approve in parallel, each in their own browser; her timeline
// shows every step with its time and the deadline. (2) An instant-approval item goes from
// submit to approved with no staff action. (3) A worker files for a walk-in applicant, who
// checks, signs and submits on her own phone.
import { expect, test } from '@playwright/test';
import { open, pageErrors, signInStaff } from './helpers';
import { JPG, PDF, signCommitment, startRestaurantBundle, uploadAll, uploadMaterial, waitSaved } from './applicant_steps';
import { approveAs, fillRestaurant, newApplicant, openDeskCase, submit } from './office_steps';

test('a returned restaurant application is corrected once, accepted and approved by two departments in parallel', async ({ browser }) => {
  const { page, login } = await newApplicant(browser, '周旅舍');
  const errors = pageErrors(page);
  await startRestaurantBundle(page);
  await fillRestaurant(page, '周旅舍');
  await uploadAll(page);
  await signCommitment(page, login, '周旅舍');
  const number = await submit(page);

  // The front desk claims it and returns it with one notice listing two things.
  const desk = await browser.newPage();
  const deskErrors = pageErrors(desk);
  await signInStaff(desk, 'front_desk', /\/desk$/);
  await openDeskCase(desk, number);
  await desk.getByTestId('claim').click();
  const builder = desk.getByTestId('notice-builder');
  await expect(builder).toBeVisible();
  await builder.getByTestId('notice-add').click();
  const entries = builder.getByTestId('notice-entry');
  await expect(entries).toHaveCount(2);
  await entries.nth(0).getByLabel('补正项目').selectOption('field:shop_name');
  await entries.nth(0).getByLabel('问题及补正方法').fill('店名与名称自主申报结果不一致，请填写申报通过的名称');
  await entries.nth(0).getByLabel('依据（办事指南条款）').fill('办事指南 四、办理条件 第1项');
  await entries.nth(1).getByLabel('补正项目').selectOption('material:SCJG-XK-001/M02');
  await entries.nth(1).getByLabel('问题及补正方法').fill('租赁合同缺少出租方签字页，请上传完整合同');
  await entries.nth(1).getByLabel('依据（办事指南条款）').fill('办事指南 三、申请材料 第2项');
  await builder.getByTestId('notice-send').click();
  await expect(desk.getByTestId('case-status')).toHaveAttribute('data-status', 'returned');

  // The applicant can change exactly those two, and does.
  await open(page, `/my/cases/${number}`);
  await expect(page.getByTestId('case-status')).toHaveAttribute('data-status', 'returned');
  const answer = page.getByTestId('notice-answer');
  await expect(answer.locator('input:not([type=file]), select, textarea')).toHaveCount(1);
  await answer.locator('#f-shop_name').fill('老周面馆');
  await uploadMaterial(page, 'SCJG-XK-001/M02', '完整租赁合同.pdf', PDF, 'application/pdf');
  await answer.getByTestId('answer-send').click();
  await expect(page.getByTestId('case-status')).toHaveAttribute('data-status', 'resubmitted');

  // The desk accepts: acceptance number, deadline, two departments at once.
  await openDeskCase(desk, number);
  await desk.getByTestId('claim').click();
  await desk.getByTestId('accept').click();
  await expect(desk.getByTestId('accepted')).toContainText('QXSL-');
  expect(deskErrors).toEqual([]);

  // 市场监管 and 城管 decide in parallel, each in their own browser.
  const [scjg, cgj] = await Promise.all([
    approveAs(browser, 'approver', number, '符合登记条件，同意。'),
    approveAs(browser, 'approver-2', number, '店招设置符合规范，同意。'),
  ]);
  await scjg.close();
  await cgj.close();

  // Her page: approved, every step with its time, the deadline, the documents.
  await open(page, `/my/cases/${number}`);
  await expect(page.getByTestId('case-status')).toHaveAttribute('data-status', 'issued');
  await expect(page.getByTestId('acceptance-number')).toContainText('QXSL-');
  await expect(page.getByTestId('case-deadline')).toContainText(/\d{4}-\d{2}-\d{2}/);
  const timeline = page.getByTestId('case-timeline');
  for (const step of ['提交申请', '一次性告知补正', '申请人提交补正', '窗口受理，开始计时', '部门审批通过', '审批通过（各部门均已同意）']) {
    await expect(timeline).toContainText(step);
  }
  await expect(timeline.locator('time').first()).toContainText(/\d{4}-\d{2}-\d{2}/);
  await expect(page.getByTestId('case-tasks').locator('li[data-status=approved]')).toHaveCount(2);
  await expect(page.getByTestId('case-documents').locator('a')).toHaveCount(2);
  expect(errors).toEqual([]);
});

test('an instant-approval item is approved on submission with no staff action', async ({ browser }) => {
  const { page } = await newApplicant(browser, '孙理发');
  const errors = pageErrors(page);
  await open(page, '/catalogue/items/SCJG-XK-001');
  await page.getByTestId('start-application').click();
  await expect(page).toHaveURL(/\/apply\/[0-9a-f]+$/);
  await page.waitForLoadState('networkidle');
  await page.locator('#f-phone').fill('13912345678');
  await page.locator('#f-shop_name').fill('孙记理发');
  await page.locator('#f-business_address').fill('南京市栖霞区马群街道 12 号');
  await page.locator('#f-organisation_form').selectOption('individual');
  await page.locator('#f-business_scope').fill('理发服务');
  await page.locator('#f-employee_count').fill('2');
  await page.locator('#f-capital_contribution').fill('3');
  await waitSaved(page);
  await uploadMaterial(page, 'M01', '身份证.jpg', JPG, 'image/jpeg');
  await uploadMaterial(page, 'M02', '租赁合同.pdf', PDF, 'application/pdf');
  await uploadMaterial(page, 'M03', '照片.jpg', JPG, 'image/jpeg');
  await submit(page);
  await expect(page.getByTestId('case-status')).toHaveAttribute('data-status', 'issued');
  await expect(page.getByTestId('case-timeline')).toContainText('秒批');
  await expect(page.getByTestId('acceptance-number')).toContainText('QXSL-');
  expect(errors).toEqual([]);
});

test('a worker files for a walk-in applicant, who checks, signs and submits on her own phone', async ({ browser }) => {
  const { page, login, residentId } = await newApplicant(browser, '郑创业');
  const errors = pageErrors(page);

  const desk = await browser.newPage();
  const deskErrors = pageErrors(desk);
  await signInStaff(desk, 'front_desk', /\/desk$/);
  const filing = desk.getByTestId('filing');
  await filing.getByLabel('申请人手机号或身份证号').fill(residentId);
  await filing.getByRole('button', { name: '查找' }).click();
  await expect(filing.getByTestId('filing-match')).toContainText('郑**');
  await filing.getByTestId('filing-match').locator('select').selectOption('bundle');
  await filing.getByTestId('filing-match').locator('#filing-code').fill('YJS-CANYIN');
  await filing.getByTestId('filing-start').click();
  await expect(desk).toHaveURL(/\/apply\/[0-9a-f]+$/);
  await expect(desk.getByTestId('worker-filing')).toBeVisible();
  await desk.waitForLoadState('networkidle');
  await fillRestaurant(desk, '郑创业');
  await uploadAll(desk);
  await expect(desk.getByTestId('submit-application')).toHaveCount(0);
  await expect(desk.getByTestId('commitment')).toHaveCount(0);
  expect(deskErrors).toEqual([]);

  // On her phone: the draft is in 我的办件, marked as filled in by the desk.
  await open(page, '/my/cases');
  await page.getByTestId('draft-list').getByRole('link', { name: '继续填写' }).click();
  await expect(page.getByTestId('filed-by-worker')).toBeVisible();
  await page.waitForLoadState('networkidle');
  await expect(page.locator('#f-shop_name')).toHaveValue('老王面馆');
  await signCommitment(page, login, '郑创业');
  const number = await submit(page);
  await expect(page.getByTestId('case-status')).toHaveAttribute('data-status', 'submitted');

  await open(desk, '/desk');
  const entry = desk.getByTestId('desk-queue').locator(`[data-number="${number}"]`);
  await expect(entry).toContainText('窗口代办');
  expect(errors).toEqual([]);
});
