import { test, expect, type Page } from "@playwright/test";

async function hydrated(page: Page) {
  await expect(page.locator("html[data-hydrated=true]")).toHaveCount(1);
}

async function signIn(page: Page, email: string, password = "performancy") {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Senha", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Entrar" }).click();
}

test("a director invites an agent, who sets a password from the e-mail and sees only what an agent may", async ({ page }) => {
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(err.message));
  const invitee = `nova.agente.${Date.now()}@acme.com.br`;

  await signIn(page, "diretora@acme.com.br");
  await expect(page).toHaveURL(/\/acme$/);
  await page.goto("/acme/users");
  await hydrated(page);
  await page.getByTestId("invite-form").locator("summary").click();
  await page.getByLabel("Nome").first().fill("Nova Agente");
  await page.getByTestId("invite-form").getByLabel("E-mail").fill(invitee);
  await page.getByRole("button", { name: "Enviar convite" }).click();
  await expect(page.getByTestId("people-list")).toContainText(invitee);
  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/login$/);

  // The development mail page holds the invitation that an SMTP server would have delivered.
  await page.goto("/dev/mail");
  const mail = page.getByTestId("dev-mail").filter({ hasText: invitee }).first();
  await expect(mail).toBeVisible();
  const body = await mail.getByTestId("dev-mail-body").innerText();
  const link = body.match(/https?:\/\/[^\s]+\/invite\/[A-Za-z0-9_-]+/)?.[0];
  expect(link, body).toBeTruthy();
  await page.goto(new URL(link!).pathname);
  await expect(page.getByTestId("invitee")).toContainText(invitee);
  await page.getByLabel("Nova senha", { exact: true }).fill("girafa caneca bicicleta 42");
  await page.getByLabel("Confirme a nova senha").fill("girafa caneca bicicleta 42");
  await page.getByRole("button", { name: "Definir senha e entrar" }).click();
  await expect(page).toHaveURL(/\/acme$/);
  await expect(page.getByTestId("user-name")).toHaveText("Nova Agente");

  // An agent may not manage people, nor see another company.
  const users = await page.goto("/acme/users");
  expect(users?.status()).toBe(403);
  await expect(page.getByText("Acesso não permitido")).toBeVisible();
  const globex = await page.goto("/globex");
  expect(globex?.status()).toBe(404);
  await expect(page.getByText("Globex Brasil")).toHaveCount(0);

  // The link worked once.
  await page.getByTestId("sign-out").click();
  await page.goto(new URL(link!).pathname);
  await expect(page.getByTestId("link-invalid")).toBeVisible();
  expect(problems).toEqual([]);
});
