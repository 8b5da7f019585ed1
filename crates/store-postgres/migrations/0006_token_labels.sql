-- ssg-claims, PostgreSQL schema 6: what each platform token is for, as its creator describes it.
ALTER TABLE api_tokens ADD COLUMN label text NOT NULL DEFAULT '';
