//! What each demo company sells, in the words its sellers and its prospects use.
//!
//! A conversation only reads as real when the client's pain, the numbers and the deadlines belong
//! to one business. Acme sells fleet routing software and Globex sells solar energy to companies,
//! so the two tenants' transcripts, deal titles and playbooks differ at a glance — which is also
//! what makes tenant isolation visible in the demo. Lines may hold placeholders in braces that
//! [`crate::transcripts`] fills per conversation.

/// The vocabulary of one company's sales conversations.
pub struct Offering {
    /// The seller's company, as they introduce themselves.
    pub seller_company: &'static str,
    pub product: &'static str,
    /// What the price is counted in: "por veículo/mês".
    pub price_unit: &'static str,
    /// The unit price range, in whole reais.
    pub unit_price: (u32, u32),
    /// The count the price multiplies (vehicles, kWp), as the client states it.
    pub quantity: (u32, u32),
    /// The client describing how things work today (SPICED situation).
    pub situations: &'static [&'static str],
    /// The client naming the problem (pain / BANT need).
    pub pains: &'static [&'static str],
    /// The client putting a number on it (impact).
    pub impacts: &'static [&'static str],
    /// The deadline that makes it urgent (critical event / BANT timeline).
    pub critical_events: &'static [&'static str],
    /// Who decides and how (decision / BANT authority).
    pub decisions: &'static [&'static str],
    /// The budget the client has in mind (BANT budget).
    pub budgets: &'static [&'static str],
    /// The seller presenting the product.
    pub pitches: &'static [&'static str],
    /// A client's follow-up question and the seller's answer, after the pitch.
    pub product_questions: &'static [(&'static str, &'static str)],
    /// Extra details a talkative client adds.
    pub client_details: &'static [&'static str],
    /// Fictional competitors, named in conversations and in lead and deal custom fields.
    pub competitors: &'static [&'static str],
    /// What deal titles are made of: "Transportes Ribeiro – {item}".
    pub deal_items: &'static [&'static str],
}

pub const ACME_ROTAS: Offering = Offering {
    seller_company: "Acme Vendas",
    product: "Acme Rotas",
    price_unit: "por veículo/mês",
    unit_price: (89, 189),
    quantity: (12, 240),
    situations: &[
        "Hoje a gente roda umas {qtd} entregas por dia, e a roteirização é feita na mão, numa planilha, pelo coordenador.",
        "Temos {qtd} veículos, parte própria e parte terceirizada. Cada motorista recebe a rota impressa de manhã.",
        "A gente usa um rastreador básico nos caminhões, mas ele só mostra onde o veículo está, não planeja nada.",
        "O planejamento é todo no Excel. O Jorge, que cuida disso, chega às seis da manhã só para montar as rotas.",
        "Hoje são três filiais, cada uma faz do seu jeito. Não tem um padrão entre elas.",
    ],
    pains: &[
        "O maior problema é atraso. O cliente liga reclamando e a gente nem sabe onde o motorista está.",
        "O combustível está comendo a margem. Tem rota que claramente dá volta à toa.",
        "A gente não tem visibilidade nenhuma. Só descubro que a entrega falhou no dia seguinte.",
        "Hora extra de motorista virou rotina, e isso está pesando muito na folha.",
        "Quando o coordenador falta, ninguém sabe montar as rotas. Fica tudo na cabeça dele.",
    ],
    impacts: &[
        "Eu diria que uns {pct}% das entregas saem do prazo. Isso dá fácil uns R$ {valor} por mês entre multa e reentrega.",
        "Só de combustível a gente gasta R$ {valor} por mês. Se der para cortar {pct}%, já paga muita coisa.",
        "Perdemos dois clientes grandes no último semestre por causa de atraso. Cada um valia uns R$ {valor} por mês.",
        "A hora extra chega a {pct}% da folha dos motoristas. É dinheiro que vai embora todo mês.",
    ],
    critical_events: &[
        "O contrato com a transportadora parceira vence em {mes}, e a gente quer chegar lá com outra operação.",
        "Precisamos estar rodando antes da Black Friday, que é quando o volume dobra.",
        "A diretoria quer ver redução de custo já no orçamento de {mes}.",
        "Vamos abrir uma filial nova em {mes} e não dá para replicar essa bagunça lá.",
    ],
    decisions: &[
        "Quem assina é {decisor}, mas eu levo a recomendação e normalmente ele segue.",
        "Eu decido junto com {decisor}. Acima de cinquenta mil precisa passar pelo conselho.",
        "Passa por compras e pelo jurídico, mas quem dá a palavra final é {decisor}.",
        "A decisão é minha, mas preciso apresentar o caso para {decisor} antes.",
    ],
    budgets: &[
        "A gente tinha reservado algo em torno de R$ {valor} por mês para tecnologia de frota.",
        "Orçamento específico não tem, teria que sair da verba de operações.",
        "Se fizer sentido, dá para tirar uns R$ {valor} por mês do que a gente gasta com hora extra.",
    ],
    pitches: &[
        "O {produto} monta as rotas sozinho em poucos minutos, considerando janela de entrega, capacidade do veículo e trânsito.",
        "Com o {produto}, o motorista recebe a rota no aplicativo e o cliente final acompanha a entrega em tempo real.",
        "A gente tem um painel que mostra entrega por entrega, com alerta de atraso antes de o cliente reclamar.",
        "Nossos clientes de logística reduzem em média 18% do combustível nos primeiros três meses.",
    ],
    product_questions: &[
        (
            "E isso integra com o nosso ERP?",
            "Integra sim: temos conectores prontos para TOTVS, SAP e Omie, e uma API aberta para o resto.",
        ),
        (
            "Quanto tempo leva para implantar?",
            "Em média três semanas, com um consultor dedicado e treinamento dos motoristas incluso.",
        ),
        (
            "O aplicativo funciona sem internet? Tem trecho sem sinal nenhum.",
            "Funciona: a rota fica salva no celular e sincroniza quando o sinal volta.",
        ),
        (
            "Os terceirizados também conseguem usar?",
            "Conseguem, é só convidar pelo número do celular. Não precisa instalar nada no caminhão.",
        ),
    ],
    client_details: &[
        "E isso piora no fim do mês, quando todo mundo quer receber ao mesmo tempo.",
        "O pessoal do comercial vive prometendo prazo que a operação não consegue cumprir.",
        "Já tentamos outro sistema há uns dois anos, mas ninguém usou.",
        "A equipe é boa, o problema é a ferramenta mesmo.",
        "Nossa região tem muito trânsito, então rota errada custa caro.",
    ],
    competitors: &["RotaMax", "FrotaPro", "LogiTrack", "RouteBox"],
    deal_items: &[
        "Licença anual Plano Pro",
        "Implantação + 12 meses",
        "Expansão de frota",
        "Módulo de Telemetria",
        "Plano Enterprise (3 filiais)",
        "Renovação anual",
        "Piloto 90 dias",
        "Módulo de Rastreamento ao Cliente",
    ],
};

pub const GLOBEX_SOLAR: Offering = Offering {
    seller_company: "Globex Brasil",
    product: "Globex Solar Empresarial",
    price_unit: "por kWp instalado",
    unit_price: (3200, 4800),
    quantity: (40, 900),
    situations: &[
        "Nossa conta de energia hoje fica em torno de R$ {conta} por mês, e a gente está no mercado cativo.",
        "Temos um galpão de uns dez mil metros quadrados, com telhado metálico praticamente todo livre.",
        "Já fizemos um orçamento de solar há dois anos, mas na época não fechou a conta.",
        "A fábrica roda em dois turnos, então o consumo de dia é bem alto.",
    ],
    pains: &[
        "A conta subiu muito com as bandeiras tarifárias. Fica impossível prever o custo.",
        "Energia virou nosso segundo maior custo, só perde para a folha.",
        "O conselho cobra a meta de sustentabilidade e a gente não tem nada concreto para mostrar.",
        "Tivemos duas quedas de energia que pararam a linha de produção este ano.",
    ],
    impacts: &[
        "A conta aumentou uns {pct}% em um ano. São mais de R$ {valor} a mais por mês.",
        "Se a gente reduzir {pct}% da conta, dá uns R$ {valor} por mês de economia.",
        "Cada parada de linha custa em torno de R$ {valor} para a gente.",
    ],
    critical_events: &[
        "Queremos o sistema instalado antes do verão, que é quando o ar-condicionado dispara.",
        "O orçamento de investimentos do ano que vem fecha em {mes}.",
        "A regra de compensação muda, e quem entrar depois de {mes} paga mais. Queremos entrar antes.",
        "Temos uma auditoria de ESG do cliente principal em {mes}.",
    ],
    decisions: &[
        "Investimento desse porte passa pelo conselho. Quem leva a pauta é {decisor}.",
        "Eu recomendo, mas quem aprova o capex é {decisor}.",
        "A decisão é do comitê de investimentos, que se reúne uma vez por mês; quem coordena é {decisor}.",
    ],
    budgets: &[
        "Temos uma linha de capex de uns R$ {valor} para eficiência energética.",
        "Se for por financiamento, com parcela menor que a economia, a aprovação fica muito mais fácil.",
        "Orçamento ainda não tem, precisaria de um estudo de viabilidade para pedir.",
    ],
    pitches: &[
        "O {produto} cuida de tudo: projeto, homologação com a distribuidora, instalação e monitoramento.",
        "A gente oferece financiamento com parcela menor que a economia na conta desde o primeiro mês.",
        "O monitoramento é online: você vê a geração de cada inversor e recebe alerta de queda de desempenho.",
        "Garantia de 25 anos nos painéis e manutenção preventiva inclusa nos dois primeiros anos.",
    ],
    product_questions: &[
        (
            "O telhado aguenta o peso?",
            "Fazemos uma vistoria estrutural antes do projeto; se precisar de reforço, já entra no orçamento.",
        ),
        (
            "Quanto tempo até começar a gerar?",
            "Da assinatura até a homologação, em média noventa dias.",
        ),
        (
            "E se a empresa mudar de endereço?",
            "O sistema pode ser desmontado e reinstalado; o contrato prevê isso.",
        ),
    ],
    client_details: &[
        "E o pior é que ninguém consegue explicar a conta direito.",
        "A gente também está pensando em trocar a iluminação para LED.",
        "O vizinho aqui do lado colocou solar ano passado e está muito satisfeito.",
        "Nosso cliente principal começou a pedir relatório de emissões.",
    ],
    competitors: &["SolarMax", "EcoSol Energia", "Sunvolt", "Brasol"],
    deal_items: &[
        "Usina 150 kWp",
        "Usina 300 kWp (galpão)",
        "Projeto solar + financiamento",
        "Ampliação de usina",
        "Estudo de viabilidade",
        "Usina 75 kWp (filial)",
        "Monitoramento e O&M",
    ],
};
