export {
  type AccountState,
  type CustomerDirectory,
  type CustomerRecord,
  emptyDirectory,
  phoneKey,
  phoneMatches,
} from './customer-directory.js';
export {
  CustomersFileError,
  createFileDirectory,
  loadFileDirectory,
  parseCsv,
  parseCustomersFile,
  readCustomersFile,
} from './file-directory.js';
export {
  createWisphubClient,
  type WisphubCall,
  type WisphubClient,
  type WisphubClientOptions,
  WisphubError,
  WisphubRefusedError,
} from './wisphub-client.js';
export {
  accountState,
  createWisphubDirectory,
  documentKey,
  type WisphubDirectory,
  type WisphubOptions,
} from './wisphub-directory.js';
