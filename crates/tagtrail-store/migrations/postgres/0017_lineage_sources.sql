-- What the downward lineage walk (a recall from a seeds or clones package) needs to find by
-- its source: the plant batches planted from a package, the harvests a plant went into (a
-- manicure and then its harvest), and the packages made from a harvest. None is a typed column
-- (a package may come from several harvests, a harvest holds many plants), so the projection
-- tables keep a small index of their own here, filled by triggers from the records' JSON as
-- they are written. A batch's source package and a package's source harvests are set when it
-- is created and never change, so those rows are only ever added; a harvest's plants can change
-- (a plant restored from it), so its rows are rewritten when they do. Existing records are
-- indexed once below.
CREATE TABLE lineage_sources (
    source_kind TEXT NOT NULL CHECK (source_kind IN ('harvest', 'package', 'plant')),
    source_id BIGINT NOT NULL,
    child_id BIGINT NOT NULL,
    PRIMARY KEY (source_kind, source_id, child_id)
);
CREATE INDEX lineage_sources_child ON lineage_sources (source_kind, child_id);

CREATE FUNCTION lineage_sources_of_package() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO lineage_sources (source_kind, source_id, child_id)
    SELECT 'harvest', (s.value ->> 'harvest_id')::BIGINT, NEW.id
    FROM jsonb_array_elements(COALESCE(NEW.data::jsonb -> 'source_harvests', '[]'::jsonb)) AS s (value)
    WHERE s.value ->> 'harvest_id' IS NOT NULL
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE FUNCTION lineage_sources_of_batch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.data::jsonb ->> 'source_package_id' IS NOT NULL THEN
        INSERT INTO lineage_sources (source_kind, source_id, child_id)
        VALUES ('package', (NEW.data::jsonb ->> 'source_package_id')::BIGINT, NEW.id)
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;
CREATE FUNCTION lineage_sources_of_harvest() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM lineage_sources WHERE source_kind = 'plant' AND child_id = NEW.id;
    END IF;
    INSERT INTO lineage_sources (source_kind, source_id, child_id)
    SELECT 'plant', s.value::BIGINT, NEW.id
    FROM jsonb_array_elements_text(COALESCE(NEW.data::jsonb -> 'plant_ids', '[]'::jsonb)) AS s (value)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER lineage_sources_harvest_insert AFTER INSERT ON harvests
    FOR EACH ROW EXECUTE FUNCTION lineage_sources_of_harvest();
CREATE TRIGGER lineage_sources_harvest_update AFTER UPDATE OF data ON harvests
    FOR EACH ROW WHEN (OLD.data::jsonb -> 'plant_ids' IS DISTINCT FROM NEW.data::jsonb -> 'plant_ids')
    EXECUTE FUNCTION lineage_sources_of_harvest();
CREATE TRIGGER lineage_sources_package AFTER INSERT OR UPDATE OF data ON packages
    FOR EACH ROW EXECUTE FUNCTION lineage_sources_of_package();
CREATE TRIGGER lineage_sources_batch AFTER INSERT OR UPDATE OF data ON plant_batches
    FOR EACH ROW EXECUTE FUNCTION lineage_sources_of_batch();

INSERT INTO lineage_sources (source_kind, source_id, child_id)
SELECT 'harvest', (s.value ->> 'harvest_id')::BIGINT, p.id
FROM packages AS p,
    jsonb_array_elements(COALESCE(p.data::jsonb -> 'source_harvests', '[]'::jsonb)) AS s (value)
WHERE s.value ->> 'harvest_id' IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO lineage_sources (source_kind, source_id, child_id)
SELECT 'package', (b.data::jsonb ->> 'source_package_id')::BIGINT, b.id
FROM plant_batches AS b
WHERE b.data::jsonb ->> 'source_package_id' IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO lineage_sources (source_kind, source_id, child_id)
SELECT 'plant', s.value::BIGINT, h.id
FROM harvests AS h,
    jsonb_array_elements_text(COALESCE(h.data::jsonb -> 'plant_ids', '[]'::jsonb)) AS s (value)
ON CONFLICT DO NOTHING;
