// Filled in by the database layer: migrates the test database once per run.
export default async function setup() {}
