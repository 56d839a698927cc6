import { seedSuite } from '../helpers/seed-suite';

seedSuite('hybrid', { minPsnrAtQ50: 32 });
