-- The Emploi Store (/applications): how an app is listed and to whom it is recommended.
-- category: one of the vetted list in src/store/categories.ts (checked by the registration rules, so
-- that the list can grow without a migration). start_url: where « Se connecter » leads, on the app's
-- own host. audience: who the app is for, as declared at registration ({ rome, regions, statuses,
-- training_levels, contract_types, available_now, skills }, src/store/audience.ts); recommendations
-- use it only once an admin has vetted it, and any later change by anyone else un-vets it.
ALTER TABLE clients
  ADD COLUMN category        text,
  ADD COLUMN start_url       text,
  ADD COLUMN audience        jsonb,
  ADD COLUMN audience_vetted boolean NOT NULL DEFAULT false,
  ADD CONSTRAINT clients_audience_vetted_needs_audience CHECK (NOT audience_vetted OR audience IS NOT NULL);
