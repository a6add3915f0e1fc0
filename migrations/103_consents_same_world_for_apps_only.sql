-- The sandbox barrier (101) compares an app's world with the jobseeker's. A mandate to an advisor
-- (106: client_id null, advisor_id set) has no app: it is not the barrier's business, and comparing a
-- missing app's flag with the jobseeker's would refuse every mandate.
CREATE OR REPLACE FUNCTION consents_same_world() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.client_id IS NOT NULL
     AND (SELECT sandbox FROM clients WHERE id = NEW.client_id)
         IS DISTINCT FROM (SELECT sandbox FROM jobseekers WHERE id = NEW.jobseeker_id) THEN
    RAISE EXCEPTION 'a sandbox client may only hold consents of sandbox personas, and only it may'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;
