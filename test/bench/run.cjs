// Entry of `npm run bench`: loads the TypeScript benchmark through the same hook as the tests.
require('../register.cjs');
require('./main.ts')
  .main()
  .then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
