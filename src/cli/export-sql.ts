import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { DIALECTS, type DialectName } from '../scoring/sql/dialects.ts';
import { warnEdited } from './output.ts';

export function registerExportSql(program: Command): void {
  program
    .command('export-sql')
    .description('print one SELECT that scores leads inside a database with a saved logistic or gbdt model')
    .requiredOption('--model <artifact>', 'a logistic.model.json or gbdt.model.json written by `leadscore train` (without activity features)')
    .requiredOption('--dialect <name>', DIALECTS.join(', '), (v: string) => {
      if (!(DIALECTS as readonly string[]).includes(v)) throw new InvalidArgumentError(`use one of ${DIALECTS.join(', ')}`);
      return v as DialectName;
    })
    .option('--table <name>', 'the table (or a subquery) holding the leads', 'leads')
    .option('--trust', 'use a model edited after training (its content hash no longer matches), with a warning')
    .action(async (flags: { model: string; dialect: DialectName; table: string; trust?: boolean }) => {
      const [{ loadModel }, { exportSql }] = await Promise.all([import('../models/artifact.ts'), import('../scoring/sql/export-sql.ts')]);
      const { artifact, edited } = await loadModel(flags.model, { trust: flags.trust === true });
      if (edited) warnEdited(flags.model);
      process.stdout.write(exportSql(artifact, flags.dialect, flags.table));
    });
}
