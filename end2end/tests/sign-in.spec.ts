import { test, expect, type Page } from "@playwright/test";

function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  return problems;
}

test("a guest asking for a company page signs in and lands on that page", async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto("/acme/deals");
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.getByLabel("E-mail").fill("agente1@acme.com.br");
  await page.getByLabel("Senha", { exact: true }).fill("performancy");
  await page.getByRole("button", { name: "Entrar" }).click();
  await expect(page).toHaveURL(/\/acme\/deals$/);
  await expect(page.getByTestId("user-name")).toBeVisible();
  expect(problems).toEqual([]);
});

test("a wrong password keeps the e-mail typed and says nothing about which part was wrong", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill("diretora@acme.com.br");
  await page.getByLabel("Senha", { exact: true }).fill("senha-errada");
  await page.getByRole("button", { name: "Entrar" }).click();
  await expect(page.getByTestId("sign-in-error")).toHaveText("E-mail ou senha incorretos.");
  await expect(page.getByLabel("E-mail")).toHaveValue("diretora@acme.com.br");
  await expect(page.getByLabel("Senha")).toHaveValue("");
});

test("signing out ends the session", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill("agente2@acme.com.br");
  await page.getByLabel("Senha", { exact: true }).fill("performancy");
  await page.getByRole("button", { name: "Entrar" }).click();
  await expect(page).toHaveURL(/\/acme$/);
  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/acme");
  await expect(page).toHaveURL(/\/login\?next=/);
});

test("staff enter another company under a banner", async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto("/login");
  await page.getByLabel("E-mail").fill("admin@performancy.dev");
  await page.getByLabel("Senha", { exact: true }).fill("performancy");
  await page.getByRole("button", { name: "Entrar" }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await page.goto("/globex");
  await expect(page.getByTestId("company-name")).toHaveText("Globex Brasil");
  await expect(page.getByTestId("staff-banner")).toBeVisible();
  expect(problems).toEqual([]);
});
