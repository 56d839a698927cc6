import { seedSuite } from '../helpers/seed-suite';

seedSuite('minimal', { minPsnrAtQ50: 30 });
