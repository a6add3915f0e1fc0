// Server-rendered pages with Eta. Templates only branch and loop over a prepared view-model;
// autoEscape is on, so every value (client names, logos, state, errors) is HTML-escaped.
import { Eta } from 'eta';

export type Render = (template: string, model: Record<string, unknown>) => string;

export function createRenderer(viewsDir: string, cache: boolean): Render {
  const eta = new Eta({
    views: viewsDir,
    autoEscape: true,
    autoTrim: false,
    cache,
    useWith: false,
    varName: 'it',
  });
  return (template, model) => eta.render(template, model);
}
