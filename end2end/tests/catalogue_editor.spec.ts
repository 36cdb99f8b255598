// The service office revises a published item: the admin opens the catalogue editor, finds 婚姻档案
// 查询, is stopped with a message beside the field when a time limit is impossible, previews the
// revised guide, saves a draft (the public still sees version 1), publishes version 2, and the
// public guide shows it while version 1 stays readable from the guide's history. Last, a bundle's
// guide is previewed from its editor.
import { expect, test } from '@playwright/test';
import { open, signInStaff } from './helpers';

const CODE = 'DAG-GG-002';

test('an admin edits an item, publishes version 2, and version 1 stays readable', async ({ page }) => {
  await signInStaff(page, 'admin', /\/admin$/);
  await page.getByTestId('open-catalogue-editor').click();
  await expect(page).toHaveURL(/\/admin\/catalogue$/);
  await page.waitForLoadState('networkidle');
  await page.getByLabel('按编码或名称查找').fill('婚姻档案');
  await page.getByRole('button', { name: '搜索' }).click();
  await page.getByTestId(`admin-row-${CODE}`).getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`/admin/catalogue/items/${CODE}$`));
  await page.waitForLoadState('networkidle');
  const editor = page.getByTestId('item-form');
  await expect(page.getByTestId('editor-status')).toContainText('公开版本 v1');

  // An impossible time limit: the message names the fix, and nothing is saved.
  await editor.getByLabel('承诺时限').fill('30');
  await page.getByTestId('editor-save').click();
  await expect(editor.locator('.field-errors').getByText('承诺时限不能超过法定时限')).toBeVisible();
  await expect(page.getByTestId('form-error')).toContainText('承诺时限');
  await editor.getByLabel('承诺时限').fill('1');

  const name = editor.getByRole('group', { name: '名称', exact: true }).first();
  await name.getByLabel('中文').fill('婚姻档案查询（2026 修订）');
  await editor.getByRole('group', { name: '收费标准' }).getByLabel('中文').fill('不收费，当场出具查询结果');

  await page.getByTestId('editor-preview-tab').click();
  await expect(page.getByTestId('editor-preview').getByRole('heading', { level: 2 }).first())
    .toHaveText('婚姻档案查询（2026 修订）');
  await page.getByRole('button', { name: '编辑', exact: true }).click();

  await page.getByTestId('editor-save').click();
  await expect(page.getByTestId('editor-done')).toContainText('草稿已保存');
  await expect(page.getByTestId('editor-status')).toContainText('待发布草稿 v2');
  await expect(page.getByTestId('history-v2')).toContainText('草稿');

  // The public still sees version 1 while the draft waits.
  const visitor = await page.context().newPage();
  await open(visitor, `/catalogue/items/${CODE}`);
  await expect(visitor.getByRole('heading', { level: 1 })).toHaveText('婚姻档案查询');

  await page.getByTestId('editor-publish').click();
  await expect(page.getByTestId('editor-done')).toContainText('已发布');
  await expect(page.getByTestId('editor-status')).toContainText('公开版本 v2');
  await expect(page.getByTestId('history-v1')).toContainText('历史版本');

  await open(visitor, `/catalogue/items/${CODE}`);
  await expect(visitor.getByRole('heading', { level: 1 })).toHaveText('婚姻档案查询（2026 修订）');
  await expect(visitor.getByTestId('promised-days')).toContainText('1 个工作日');
  await visitor.getByTestId('version-history').getByRole('link', { name: '版本 1' }).click();
  await expect(visitor).toHaveURL(/version=1/);
  await expect(visitor.getByRole('heading', { level: 1 })).toHaveText('婚姻档案查询');
  await expect(visitor.getByTestId('old-version')).toBeVisible();
  await visitor.close();

  // A bundle is previewed the same way, with its items' published guides.
  await open(page, '/admin/catalogue/bundles/YJS-CANYIN');
  await expect(page.getByTestId('editor-status')).toContainText('公开版本 v1');
  await page.getByTestId('editor-preview-tab').click();
  const preview = page.getByTestId('editor-preview');
  await expect(preview.getByRole('heading', { level: 2 }).first()).toHaveText('开办餐饮店');
  await expect(preview.locator('article.guide')).toHaveCount(3);
  await expect(preview.getByTestId('bundle-departments')).toContainText('区市场监督管理局');
});
