/**
 * `rows` leads from a sample file repeated, each with a distinct first-column id, CRLF line endings; with
 * `uniqueNumber`, that numeric column made distinct too (row i gets i added).
 */
export declare function writeDistinctLeads(from: string, to: string, rows: number, options?: { uniqueNumber?: string }): Promise<void>;
