import { ErrorCodes } from '@rustok/core';

console.log('rustok-iggy demo', Object.keys(ErrorCodes).length);
