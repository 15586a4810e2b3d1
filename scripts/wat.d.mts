export declare const WAT_DIR: string;
/** The `.wat` files, by module name (the file name without `.wat`). */
export declare function watFiles(): Array<{ name: string; path: string }>;
/** The binary of one `.wat` file; a syntax or validation error throws with the file, line and column. */
export declare function compileWat(path: string): Promise<Uint8Array>;
