document.getElementById('app')!.textContent = 'auditor page: to be built';
