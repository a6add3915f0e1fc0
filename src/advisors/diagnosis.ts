// The diagnosis an advisor reads beside a jobseeker's lent data (issue 16): profile completeness,
// coherence between the target jobs and the experiences, training and skills, availability and
// mobility, and what is missing. Pure, and it reads nothing but the fields of the mandate: every
// value is taken through `read`, which answers "not shared" for a field outside it — so a point says
// « non partagé » there, never a guess — and every point names the fields it comes from
// (test/fuzz/advisor-mandate.test.ts checks both for random mandates).
import type { Catalog } from '../catalog/load-catalog.ts';

export type PointStatus = 'ok' | 'attention' | 'missing' | 'not_shared';

export interface DiagnosisPoint {
  id: 'completude' | 'coherence' | 'contraintes' | 'manques';
  title: string;
  status: PointStatus;
  lines: string[];
  /** '<scope>.<field>' keys the point used: all within the mandate */
  sources: string[];
  /** the same, as a person reads them: "<block> › <field>" */
  sourceLabels: string[];
  /** the data it would need and the mandate does not cover */
  notShared: string[];
  /** steps the advisor may add to the plan */
  suggestions: string[];
}

type Item = Record<string, unknown>;
const BLOCKS = ['projet', 'competences', 'experiences', 'formations', 'langues', 'permis'] as const;
const STOP = new Set([
  'avec',
  'dans',
  'pour',
  'des',
  'les',
  'une',
  'aux',
  'sur',
  'par',
  'gestion',
  'produits',
]);

const empty = (v: unknown) =>
  v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

/** Significant words (4+ letters), without accents, cut to 5-letter stems: "alimentaire" and "alimentation" meet. */
export function stems(text: string): Set<string> {
  return new Set(
    text
      .normalize('NFD')
      .replace(/\p{Diacritic}/gu, '')
      .toLowerCase()
      .split(/[^a-z]+/)
      .filter((w) => w.length >= 4 && !STOP.has(w))
      .map((w) => w.slice(0, 5)),
  );
}

export function diagnose(catalog: Catalog, mandate: ReadonlySet<string>, lent: Record<string, unknown>) {
  const label = (key: string) => {
    const found = catalog.field(key);
    return found ? `${found.scope.title} › ${found.field.label}` : key;
  };
  /** A field's value(s) if the mandate covers it; `undefined` for "not shared". */
  function read(key: string): unknown[] | undefined {
    if (!mandate.has(key)) return undefined;
    const [scopeId, fieldId] = key.split('.') as [string, string];
    const value = lent[scopeId];
    if (Array.isArray(value)) return value.map((item) => (item as Item)[fieldId]);
    return [((value ?? {}) as Item)[fieldId]];
  }
  const points: DiagnosisPoint[] = [];
  const point = (
    p: Omit<DiagnosisPoint, 'sources' | 'sourceLabels' | 'notShared'>,
    used: string[],
    wanted: string[],
  ) => {
    const sources = used.filter((k) => mandate.has(k));
    points.push({
      ...p,
      sources,
      sourceLabels: sources.map(label),
      notShared: wanted.filter((k) => !mandate.has(k)).map(label),
    });
  };
  const scopeTitle = (id: string) => catalog.byId.get(id)?.title ?? id;
  const fieldsOf = (id: string) => catalog.byId.get(id)?.fields.map((f) => `${id}.${f.id}`) ?? [];

  // 1. Completeness: of the blocks the mandate covers, which are filled in.
  {
    const shared = BLOCKS.filter((b) => fieldsOf(b).some((k) => mandate.has(k)));
    const used = shared.flatMap((b) => fieldsOf(b).filter((k) => mandate.has(k)));
    const filled = shared.filter((b) =>
      used.filter((k) => k.startsWith(`${b}.`)).some((k) => (read(k) ?? []).some((v) => !empty(v))),
    );
    const notFilled = shared.filter((b) => !filled.includes(b));
    const lines = shared.length
      ? [
          `${filled.length} bloc${filled.length > 1 ? 's' : ''} renseigné${filled.length > 1 ? 's' : ''} sur ${shared.length} partagé${shared.length > 1 ? 's' : ''}.`,
          ...notFilled.map((b) => `Vide : ${scopeTitle(b)}.`),
        ]
      : ['Aucun bloc du profil n’est partagé.'];
    const notSharedBlocks = BLOCKS.filter((b) => !shared.includes(b));
    if (notSharedBlocks.length) lines.push(`Non partagé : ${notSharedBlocks.map(scopeTitle).join(', ')}.`);
    point(
      {
        id: 'completude',
        title: 'Complétude du profil',
        status: !shared.length ? 'not_shared' : notFilled.length ? 'attention' : 'ok',
        lines,
        suggestions: notFilled.map((b) => `Compléter la rubrique « ${scopeTitle(b)} »`),
      },
      used,
      [],
    );
  }

  // 2. Coherence: each target job against the experiences, training and skills shared.
  {
    const targetCode = 'projet.metiersRecherches';
    const evidence = [
      'experiences.intitule',
      'formations.intitule',
      'formations.domaine',
      'competences.libelle',
    ];
    const targets = read(targetCode);
    if (targets === undefined) {
      point(
        {
          id: 'coherence',
          title: 'Cohérence du projet',
          status: 'not_shared',
          lines: ['Non partagé : les métiers recherchés.'],
          suggestions: [],
        },
        [],
        [targetCode],
      );
    } else {
      const jobs = (targets[0] as { codeRome?: string; libelle?: string }[] | null | undefined) ?? [];
      const lines: string[] = [];
      const suggestions: string[] = [];
      let allMatched = jobs.length > 0;
      const families = new Set(jobs.map((j) => j.codeRome?.slice(0, 3)).filter(Boolean));
      for (const job of jobs) {
        const wanted = stems(job.libelle ?? '');
        const matches = evidence.flatMap((key) =>
          (read(key) ?? [])
            .filter((v): v is string => typeof v === 'string' && [...stems(v)].some((s) => wanted.has(s)))
            .map((v) => `${label(key).split(' › ')[0]} : « ${v} »`),
        );
        const name = `${job.libelle ?? 'Métier'}${job.codeRome ? ` (${job.codeRome})` : ''}`;
        if (matches.length) lines.push(`${name} : rejoint ${matches.join(', ')}.`);
        else {
          allMatched = false;
          lines.push(
            `${name} : aucun lien trouvé dans les expériences, formations et compétences partagées.`,
          );
          suggestions.push(`Se former à « ${job.libelle ?? name} »`);
        }
      }
      if (!jobs.length) lines.push('Aucun métier recherché n’est renseigné.');
      if (families.size > 1)
        lines.push(
          `Les métiers recherchés relèvent de ${families.size} familles ROME différentes (${[...families].join(', ')}).`,
        );
      const missing = evidence.filter((k) => !mandate.has(k));
      if (missing.length) lines.push(`Non partagé : ${missing.map(label).join(', ')}.`);
      point(
        {
          id: 'coherence',
          title: 'Cohérence du projet',
          status: !jobs.length ? 'missing' : allMatched ? 'ok' : 'attention',
          lines,
          suggestions: jobs.length ? suggestions : ['Préciser le métier recherché'],
        },
        [targetCode, ...evidence],
        evidence,
      );
    }
  }

  // 3. Availability and mobility constraints.
  {
    const keys = [
      'projet.disponibilite',
      'projet.zoneRecherche',
      'projet.tempsTravail',
      'projet.typesContrat',
      'permis.libelle',
    ];
    const lines: string[] = [];
    const [dispo] = read('projet.disponibilite') ?? [undefined];
    if (mandate.has('projet.disponibilite')) {
      const d = dispo as { immediate?: boolean; aPartirDu?: string | null } | null | undefined;
      lines.push(
        !d
          ? 'Disponibilité : non renseignée.'
          : d.immediate
            ? 'Disponible tout de suite.'
            : d.aPartirDu
              ? `Disponible à partir du ${d.aPartirDu}.`
              : 'Disponibilité : non renseignée.',
      );
    }
    const [zone] = read('projet.zoneRecherche') ?? [undefined];
    if (mandate.has('projet.zoneRecherche')) {
      const z = zone as { libelle?: string; rayonKm?: number } | null | undefined;
      lines.push(
        z?.libelle
          ? `Zone de recherche : ${z.libelle}${z.rayonKm ? ` (${z.rayonKm} km au plus)` : ''}.`
          : 'Zone de recherche : non renseignée.',
      );
    }
    const [temps] = read('projet.tempsTravail') ?? [undefined];
    if (mandate.has('projet.tempsTravail'))
      lines.push(
        `Temps de travail : ${typeof temps === 'string' ? temps.replace('_', ' ') : 'non renseigné'}.`,
      );
    const [contrats] = read('projet.typesContrat') ?? [undefined];
    if (mandate.has('projet.typesContrat'))
      lines.push(
        `Contrats : ${Array.isArray(contrats) && contrats.length ? contrats.join(', ') : 'non renseignés'}.`,
      );
    const permis = read('permis.libelle');
    if (permis)
      lines.push(
        permis.length
          ? `Permis : ${permis.filter((p) => typeof p === 'string').join(', ')}.`
          : 'Aucun permis renseigné.',
      );
    const notShared = keys.filter((k) => !mandate.has(k));
    if (notShared.length) lines.push(`Non partagé : ${notShared.map(label).join(', ')}.`);
    point(
      {
        id: 'contraintes',
        title: 'Disponibilité et mobilité',
        status: notShared.length === keys.length ? 'not_shared' : 'ok',
        lines,
        suggestions: [],
      },
      keys,
      keys,
    );
  }

  // 4. What is missing: fields of the mandate that hold nothing.
  {
    const blank = [...mandate]
      .filter((k) => catalog.field(k) && (read(k) ?? []).every((v) => empty(v)))
      .sort();
    point(
      {
        id: 'manques',
        title: 'Ce qui manque',
        status: blank.length ? 'missing' : 'ok',
        lines: blank.length
          ? blank.map((k) => `Non renseigné : ${label(k)}.`)
          : ['Rien ne manque dans ce qui est partagé.'],
        suggestions: blank.some((k) => k.startsWith('competences.')) ? ['Compléter vos compétences'] : [],
      },
      blank,
      [],
    );
  }
  return points;
}
