import { test, expect, type Page, type ConsoleMessage } from "@playwright/test";

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

async function signIn(page: Page, email: string, password = "performancy") {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Senha", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Entrar" }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

test("the director imports a CSV, fixes the mapping, sees the result, and moves a deal on the board", async ({ page }) => {
  const problems = watchConsole(page);
  await signIn(page, "diretora@acme.com.br");
  const stamp = Date.now();
  // "Quem" is not a header the importer knows: the required name is missing until it is mapped.
  const csv = [
    "Quem;E-mail;Telefone;Segmento",
    `Lead E2E ${stamp} A;e2e.a.${stamp}@cliente.com.br;11 98888-0000;Varejo`,
    `Lead E2E ${stamp} B;e2e.b.${stamp}@@cliente.com.br;;Indústria`,
    `Lead E2E ${stamp} C;e2e.c.${stamp}@cliente.com.br;;Serviços`,
  ].join("\r\n");
  await page.goto("/acme/imports?kind=LEAD");
  await page.locator("#import-file").setInputFiles({
    name: "leads-e2e.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(csv, "latin1"),
  });
  await page.getByTestId("upload-submit").click();
  await expect(page).toHaveURL(/\/acme\/imports\/[a-z0-9]+$/);
  await hydrated(page);
  await expect(page.getByTestId("mapping-problems")).toContainText("Nome");
  await expect(page.getByTestId("preview-table")).toContainText(`Lead E2E ${stamp} A`);

  await page.getByTestId("mapping-target").first().selectOption("field:name");
  await page.getByTestId("start-import").click();
  await expect(page).toHaveURL(/\/acme\/imports\/logs\/[a-z0-9]+$/);
  await expect(page.getByTestId("import-status")).toHaveText("Concluída com erros", { timeout: 20_000 });
  await expect(page.getByTestId("import-created")).toHaveText("2");
  await expect(page.getByTestId("import-failed")).toHaveText("1");
  await expect(page.getByTestId("import-errors")).toContainText("E-mail inválido");
  await expect(page.getByTestId("import-errors")).toContainText("3");

  // The imported leads are found by an accent-free search.
  await page.goto(`/acme/leads?q=lead+e2e+${stamp}`);
  await expect(page.getByTestId("leads-total")).toHaveText("2 lead(s)");

  // The board: the first card of the first column moves one stage right by keyboard.
  await page.goto("/acme/deals/board");
  await hydrated(page);
  const firstColumn = page.getByTestId("board-column").first();
  const card = firstColumn.getByTestId("board-card").first();
  const dealId = await card.getAttribute("data-deal");
  expect(dealId).toBeTruthy();
  await card.focus();
  await page.keyboard.press("ArrowRight");
  await expect(page.getByTestId("board-announce")).toContainText("→");
  const secondColumn = page.getByTestId("board-column").nth(1);
  await expect(secondColumn.locator(`[data-deal="${dealId}"]`)).toBeVisible();

  // By drag and drop, on to the third column: the browser's own drag events with a DataTransfer,
  // as a mouse drag sends them (dragstart on the card, dragover and drop on the column).
  const thirdColumn = page.getByTestId("board-column").nth(2);
  const dataTransfer = await page.evaluateHandle(() => new DataTransfer());
  await secondColumn.locator(`[data-deal="${dealId}"]`).dispatchEvent("dragstart", { dataTransfer });
  await thirdColumn.dispatchEvent("dragover", { dataTransfer });
  await thirdColumn.dispatchEvent("drop", { dataTransfer });
  await expect(thirdColumn.locator(`[data-deal="${dealId}"]`)).toBeVisible();
  await expect(secondColumn.locator(`[data-deal="${dealId}"]`)).toHaveCount(0);

  // And with the card's own stage select (what works without JavaScript), back to the first column.
  const moved = thirdColumn.locator(`[data-deal="${dealId}"]`);
  const firstStage = await firstColumn.getAttribute("data-stage");
  await moved.locator("select").selectOption(firstStage!);
  await moved.getByRole("button", { name: "Mover" }).click();
  await expect(firstColumn.locator(`[data-deal="${dealId}"]`)).toBeVisible();

  // The deal's history records the moves.
  await page.goto(`/acme/deals/${dealId}`);
  await expect(page.getByTestId("record-history")).toContainText("mudou de etapa");
  expect(problems).toEqual([]);
});

test("an agent sees only their own deals and cannot open another agent's", async ({ page, browser }) => {
  // A deal that is not Ana's, seen by the director.
  const director = await browser.newPage();
  await signIn(director, "diretora@acme.com.br");
  await director.goto("/acme/deals?sort=value&dir=desc");
  const rows = director.getByTestId("deals-table").locator("tbody tr");
  await expect(rows.first()).toBeVisible();
  let foreign: string | null = null;
  for (let i = 0; i < (await rows.count()); i++) {
    const owner = await rows.nth(i).locator("td").nth(6).innerText();
    if (owner !== "Ana Souza") {
      foreign = await rows.nth(i).locator("td").first().locator("a").getAttribute("href");
      break;
    }
  }
  expect(foreign).toBeTruthy();
  const directorTotal = await director.getByTestId("deals-total").innerText();
  await director.close();

  await signIn(page, "agente1@acme.com.br");
  await page.goto("/acme/deals");
  const owners = page.getByTestId("deals-table").locator("tbody tr td:nth-child(7)");
  await expect(owners.first()).toBeVisible();
  for (const owner of await owners.allInnerTexts()) {
    expect(owner).toBe("Ana Souza");
  }
  expect(await page.getByTestId("deals-total").innerText()).not.toBe(directorTotal);
  const response = await page.goto(foreign!);
  expect(response?.status()).toBe(404);
});

test("the demo's conversations carry real scores, explained by their quotes", async ({ page }) => {
  await signIn(page, "diretora@acme.com.br");
  await page.goto("/acme/integrations");
  const analysed = await page.getByTestId("analysis-analysed").innerText();
  await expect(page.getByTestId("analysis-total")).toHaveText(analysed);
  expect(Number(analysed)).toBeGreaterThan(0);

  await page.goto("/acme/conversations?channel=CALL");
  await page.getByTestId("conversations-list").locator("a").first().click();
  await expect(page.getByTestId("playbook-score")).toContainText("/100");
  await expect(page.getByTestId("analysis-elements")).toContainText("SPICED");
  await expect(page.getByTestId("analysis-elements").locator("blockquote").first()).toBeVisible();

  // The home's charts are in the page, with their figures on focus.
  await page.goto("/acme");
  await expect(page.getByTestId("chart-pipeline").locator("svg")).toBeVisible();
  await expect(page.getByTestId("chart-targets").locator("[tabindex='0']").first()).toBeVisible();
});
