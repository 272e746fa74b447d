document.getElementById('app')!.textContent = 'verify page: to be built';
