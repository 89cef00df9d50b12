import { test, expect } from "@playwright/test";

test("a form submitted after the session expired comes back, after sign-in, with what was typed", async ({ page, context }) => {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill("diretora@acme.com.br");
  await page.getByLabel("Senha", { exact: true }).fill("performancy");
  await page.getByRole("button", { name: "Entrar" }).click();
  await expect(page).toHaveURL(/\/acme$/);

  await page.goto("/profile");
  await expect(page.locator("html[data-hydrated=true]")).toHaveCount(1);
  await page.locator("input[name=name]").fill("Mariana Costa Editada");
  // The session ends while the form is open (as after 30 idle minutes).
  await context.clearCookies();
  await page.locator("form:has(input[name=name]) button[type=submit]").first().click();
  await expect(page).toHaveURL(/\/login\?next=\/profile$/);

  await page.getByLabel("E-mail").fill("diretora@acme.com.br");
  await page.getByLabel("Senha", { exact: true }).fill("performancy");
  await page.getByRole("button", { name: "Entrar" }).click();
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.locator("input[name=name]")).toHaveValue("Mariana Costa Editada");
});
