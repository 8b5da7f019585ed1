-- ssg-claims, SQLite schema 7: what each platform token is for, as its creator describes it.
ALTER TABLE api_tokens ADD COLUMN label TEXT NOT NULL DEFAULT '';
