/** `rows` leads from a sample file repeated, each with a distinct first-column id, CRLF line endings. */
export declare function writeDistinctLeads(from: string, to: string, rows: number): Promise<void>;
