import { test, expect, type Page, type ConsoleMessage } from "@playwright/test";

/** Collects console errors and uncaught exceptions for the whole test. */
function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (msg: ConsoleMessage) => {
    if (msg.type() === "error") problems.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  return problems;
}

async function hydrated(page: Page) {
  await expect(page.locator("html[data-hydrated=true]")).toHaveCount(1);
}

/** Signs in through the real form, as a person does. */
async function signIn(page: Page, email: string, password = "performancy") {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Senha", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Entrar" }).click();
}

test("the home page is rendered on the server in Portuguese, before any script runs", async ({ request }) => {
  const res = await request.get("/");
  expect(res.status()).toBe(200);
  const html = await res.text();
  expect(html).toContain("Sua operação de vendas, medida conversa a conversa");
  expect(html).toContain('lang="pt-BR"');
});

test("the home page hydrates and switches to English and back, remembering the choice", async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto("/");
  await hydrated(page);
  const title = page.getByTestId("landing-title");
  await expect(title).toHaveText("Sua operação de vendas, medida conversa a conversa");

  await page.getByTestId("language-switch").click();
  await expect(title).toHaveText("Your sales operation, measured one conversation at a time");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");

  // The choice survives a full reload: the server renders English now.
  await page.reload();
  await hydrated(page);
  await expect(title).toHaveText("Your sales operation, measured one conversation at a time");

  await page.getByTestId("language-switch").click();
  await expect(title).toHaveText("Sua operação de vendas, medida conversa a conversa");
  await expect(page.locator("html")).toHaveAttribute("lang", "pt-BR");
  expect(problems).toEqual([]);
});

test("a demo company's page shows its name, money and dates in the company's format", async ({ page }) => {
  const problems = watchConsole(page);
  await signIn(page, "diretora@acme.com.br");
  await expect(page).toHaveURL(/\/acme$/);
  await hydrated(page);
  await expect(page.getByTestId("company-name")).toHaveText("Acme Vendas");
  await expect(page.getByTestId("company-money")).toHaveText("R$\u00a01.234.567,89");
  await expect(page.getByTestId("company-now")).toHaveText(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);

  await page.getByTestId("language-switch").click();
  await expect(page.getByTestId("company-money")).toHaveText("R$1,234,567.89");
  await expect(page.getByTestId("company-now")).toHaveText(/^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2} (AM|PM)$/);
  await page.getByTestId("language-switch").click();

  // Navigation reaches every area; one not delivered yet says so.
  await page.getByRole("navigation").first().getByRole("link", { name: "Alertas" }).click();
  await expect(page).toHaveURL(/\/acme\/alerts$/);
  await expect(page.getByTestId("area-soon")).toBeVisible();
  expect(problems).toEqual([]);
});

test("another company is a different tenant, and an unknown one is not found in both languages", async ({ page }) => {
  await signIn(page, "diretor@globex.com.br");
  await expect(page).toHaveURL(/\/globex$/);
  await hydrated(page);
  await expect(page.getByTestId("company-name")).toHaveText("Globex Brasil");
  // Acme is another tenant: not found, not even its name.
  const acme = await page.goto("/acme");
  expect(acme?.status()).toBe(404);
  await expect(page.getByText("Acme Vendas")).toHaveCount(0);

  const res = await page.goto("/nao-existe");
  expect(res?.status()).toBe(404);
  await expect(page.getByTestId("not-found")).toContainText("Página não encontrada");
  await hydrated(page);
  await page.getByTestId("language-switch").click();
  await expect(page.getByTestId("not-found")).toContainText("Page not found");
  await page.getByTestId("language-switch").click();
});
